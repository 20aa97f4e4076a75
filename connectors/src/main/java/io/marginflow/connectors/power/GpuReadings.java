package io.marginflow.connectors.power;

import io.marginflow.schemas.Ids;
import io.marginflow.connectors.power.PrometheusText.Sample;
import java.util.Map;
import java.util.TreeMap;

/** One scrape's readings per physical GPU: energy counter in joules, power in watts, utilization 0..1 (any may be null). */
public final class GpuReadings {
  private GpuReadings() {
  }

  /** A physical GPU: its node and its index there. */
  public record GpuKey(String node, String gpu) implements Comparable<GpuKey> {
    @Override
    public int compareTo(GpuKey o) {
      int c = node.compareTo(o.node);
      return c != 0 ? c : gpu.compareTo(o.gpu);
    }
  }

  public record Reading(Double energyJoules, Double powerWatts, Double utilization) {
  }

  /**
   * The readings of {@code samples} per GPU. {@code fixedNode}, when set, names the node of every GPU of the endpoint;
   * else the node label does, and a series without it is skipped. A GPU split into MIG instances is one GPU: a value on
   * a series without the MIG label wins, else the first instance's (DCGM repeats the device's power per instance).
   */
  public static Map<GpuKey, Reading> of(Iterable<Sample> samples, GpuMetrics m, String fixedNode) {
    Map<GpuKey, Double[]> values = new TreeMap<>();
    Map<GpuKey, boolean[]> fromDevice = new TreeMap<>();
    for (Sample s : samples) {
      int field = field(s.name(), m);
      GpuKey key = key(s, m, fixedNode);
      if (field < 0 || key == null || !Double.isFinite(s.value())) {
        continue;
      }
      Double[] v = values.computeIfAbsent(key, k -> new Double[3]);
      boolean[] device = fromDevice.computeIfAbsent(key, k -> new boolean[3]);
      boolean isDevice = m.migLabel() == null || s.label(m.migLabel()) == null;
      if (v[field] == null || isDevice && !device[field]) {
        v[field] = s.value();
        device[field] = isDevice;
      }
    }
    return readings(values, m);
  }

  private static Map<GpuKey, Reading> readings(Map<GpuKey, Double[]> values, GpuMetrics m) {
    Map<GpuKey, Reading> out = new TreeMap<>();
    values.forEach((key, v) -> out.put(key, new Reading(v[0] == null ? null : v[0] * m.joulesPerUnit(), v[1],
        v[2] == null ? null : Math.max(0, Math.min(1, v[2] * m.utilizationPerUnit())))));
    return out;
  }

  private static int field(String metric, GpuMetrics m) {
    return metric.equals(m.energyMetric()) ? 0 : metric.equals(m.powerMetric()) ? 1
        : metric.equals(m.utilizationMetric()) ? 2 : -1;
  }

  /**
   * The GPU a series is about; null when it names no node or no GPU, or ids the pipeline would refuse (SPEC 2's
   * identifier rule): such a series is skipped here rather than dead-lettered on every scrape.
   */
  private static GpuKey key(Sample s, GpuMetrics m, String fixedNode) {
    String node = fixedNode != null ? fixedNode : s.label(m.nodeLabel());
    String gpu = s.label(m.gpuLabel());
    return node == null || gpu == null || !Ids.valid(node) || !Ids.valid(gpu) ? null : new GpuKey(node, gpu);
  }
}

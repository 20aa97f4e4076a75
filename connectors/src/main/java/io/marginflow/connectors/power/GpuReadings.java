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

  /**
   * One GPU's values; {@code sampledAtMs} is when the exporter says it sampled them (the exposition's own timestamp on
   * the energy or power line), null when the text carries none.
   */
  public record Reading(Double energyJoules, Double powerWatts, Double utilization, Long sampledAtMs) {
    public Reading(Double energyJoules, Double powerWatts, Double utilization) {
      this(energyJoules, powerWatts, utilization, null);
    }
  }

  /**
   * The readings of {@code samples} per GPU. {@code fixedNode}, when set, names the node of every GPU of the endpoint;
   * else the node label does, and a series without it is skipped. A GPU split into MIG instances is one GPU: a value on
   * a series without the MIG label wins, else the first instance's (DCGM repeats the device's power per instance).
   */
  public static Map<GpuKey, Reading> of(Iterable<Sample> samples, GpuMetrics m, String fixedNode) {
    Map<GpuKey, Double[]> values = new TreeMap<>();
    Map<GpuKey, boolean[]> fromDevice = new TreeMap<>();
    Map<GpuKey, Long> sampledAt = new TreeMap<>();
    for (Sample s : samples) {
      int field = field(s.name(), m);
      GpuKey key = key(s, m, fixedNode);
      if (field < 0 || key == null || !Double.isFinite(s.value())) {
        continue;
      }
      Double[] v = values.computeIfAbsent(key, k -> new Double[3]);
      if (m.summedLabel() != null && label(s, m.summedLabel()) != null) {
        // Kepler 0.7: the GPU's energy is its dynamic plus its idle series.
        v[field] = (v[field] == null ? 0.0 : v[field]) + s.value();
        continue;
      }
      boolean[] device = fromDevice.computeIfAbsent(key, k -> new boolean[3]);
      boolean isDevice = m.migLabel() == null || label(s, m.migLabel()) == null;
      if (v[field] == null || isDevice && !device[field]) {
        v[field] = s.value();
        device[field] = isDevice;
        if (field < 2 && s.timestampMs() != null) {
          sampledAt.put(key, s.timestampMs());
        }
      }
    }
    return readings(values, sampledAt, m);
  }

  private static Map<GpuKey, Reading> readings(Map<GpuKey, Double[]> values, Map<GpuKey, Long> sampledAt, GpuMetrics m) {
    Map<GpuKey, Reading> out = new TreeMap<>();
    values.forEach((key, v) -> out.put(key, new Reading(v[0] == null ? null : v[0] * m.joulesPerUnit(), v[1],
        v[2] == null ? null : Math.max(0, Math.min(1, v[2] * m.utilizationPerUnit())), sampledAt.get(key))));
    return out;
  }

  /**
   * The value of the first of {@code names} ("Hostname|hostname": exporters rename labels across versions) that
   * {@code s} carries, or null.
   */
  static String label(Sample s, String names) {
    for (String name : names.split("\\|")) {
      String v = s.label(name.trim());
      if (v != null) {
        return v;
      }
    }
    return null;
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
    String node = fixedNode != null ? fixedNode : label(s, m.nodeLabel());
    String gpu = label(s, m.gpuLabel());
    return node == null || gpu == null || !Ids.valid(node) || !Ids.valid(gpu) ? null : new GpuKey(node, gpu);
  }
}

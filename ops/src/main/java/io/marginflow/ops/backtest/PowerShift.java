package io.marginflow.ops.backtest;

import io.marginflow.ops.scenario.Csv;
import io.marginflow.topology.config.MarginflowConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * GPU power that answers the work demand brings: a GPU draws its idle power (the lowest the node's GPUs recorded) plus
 * a dynamic part that grows with the work its node serves (weighted tokens, SPEC 3's weights). Per node and attribution
 * bucket, a recorded sample's dynamic part is scaled by work served / work recorded; a bucket that recorded no work and
 * now serves some draws the region's recorded dynamic watts per unit of work on top of what it recorded. Never above
 * the GPU's TDP (when known).
 * A sample of a bucket whose work did not change is written as it was.
 */
final class PowerShift {
  private static final List<String> POWER_COLUMNS = List.of("timestamp_ms", "node_id", "avg_power_watts");
  /** SPEC 2's bound on a GPU's average power. */
  private static final double MAX_WATTS = 10_000;
  private final long bucketMs;
  private final double[] weights;
  private final Map<String, Double> recorded = new HashMap<>();
  private final Map<String, Double> served = new HashMap<>();

  PowerShift(Map<String, String> settings) {
    MarginflowConfig c = MarginflowConfig.of(settings);
    this.bucketMs = c.duration(MarginflowConfig.BUCKET).toMillis();
    this.weights = new double[] {c.decimal(MarginflowConfig.WEIGHT_INPUT).doubleValue(),
        c.decimal(MarginflowConfig.WEIGHT_CACHED).doubleValue(), c.decimal(MarginflowConfig.WEIGHT_OUTPUT).doubleValue()};
  }

  /** A recorded request's work, on its node at its time. */
  void recorded(Csv.Line l, long ts) {
    recorded.merge(key(l.get("node_id"), ts), work(l), Double::sum);
  }

  /** A request demand serves (the original, a copy or a moved one) on {@code node}. */
  void served(Csv.Line l, String node, long ts) {
    served.merge(key(node, ts), work(l), Double::sum);
  }

  private double work(Csv.Line l) {
    try {
      long in = Long.parseLong(l.get("input_tokens"));
      long cached = Long.parseLong(l.get("cached_input_tokens"));
      return (in - cached) * weights[0] + cached * weights[1] + Long.parseLong(l.get("output_tokens")) * weights[2];
    } catch (NumberFormatException e) {
      return 0; // refused by the pipeline: no work either way
    }
  }

  private String key(String node, long ts) {
    return node + "|" + Math.floorDiv(ts, bucketMs);
  }

  /** Writes {@code in}'s samples as the served work draws them; {@code nodes}: node to region and TDP. */
  void write(Path in, Path out, Map<String, String[]> nodes) throws IOException {
    Map<String, Double> idle = new HashMap<>();
    // Per (node, bucket): the sum and count of its samples' watts; the mean above idle once idle is known.
    Map<String, double[]> watts = new TreeMap<>();
    try (Csv.Reader r = Csv.open(in, POWER_COLUMNS)) {
      r.forEachRemaining(l -> sample(l, (node, ts, w) -> {
        idle.merge(node, w, Math::min);
        watts.merge(key(node, ts), new double[] {w, 1}, (a, b) -> new double[] {a[0] + b[0], a[1] + b[1]});
      }));
    }
    Map<String, double[]> perWork = new HashMap<>();
    watts.forEach((k, d) -> {
      Double work = recorded.get(k);
      String id = k.substring(0, k.lastIndexOf('|'));
      String[] node = nodes.get(id);
      if (work != null && work > 0 && node != null) {
        perWork.merge(node[0], new double[] {d[0] / d[1] - idle.get(id), work},
            (a, b) -> new double[] {a[0] + b[0], a[1] + b[1]});
      }
    });
    CsvRewrite.rewrite(in, out, POWER_COLUMNS, l -> List.of(line(l, idle, nodes, perWork)));
  }

  private String line(Csv.Line l, Map<String, Double> idle, Map<String, String[]> nodes, Map<String, double[]> perWork) {
    String[] out = {l.text()};
    sample(l, (node, ts, watts) -> {
      String k = key(node, ts);
      double before = recorded.getOrDefault(k, 0.0);
      double after = served.getOrDefault(k, 0.0);
      String[] n = nodes.get(node);
      if (before == after || n == null) {
        return;
      }
      double floor = idle.get(node);
      double[] pw = perWork.get(n[0]);
      double drawn = before > 0 ? floor + (watts - floor) * after / before
          : watts + (pw == null || pw[1] == 0 ? 0 : pw[0] / pw[1] * after);
      String[] f = l.fields().clone();
      double tdp = Double.parseDouble(n[1]);
      f[l.columns().get("avg_power_watts")] = String.format(Locale.ROOT, "%.3f", tdp > 0 ? Math.min(drawn, tdp) : drawn);
      out[0] = String.join(",", f);
    });
    return out[0];
  }

  private interface Sample {
    void accept(String node, long ts, double watts);
  }

  /** A sample the pipeline would accept (finite watts in [0, 10,000]); any other line stays as it is. */
  private static void sample(Csv.Line l, Sample s) {
    try {
      double watts = Double.parseDouble(l.get("avg_power_watts"));
      if (Double.isFinite(watts) && watts >= 0 && watts <= MAX_WATTS && !l.get("node_id").isEmpty()) {
        s.accept(l.get("node_id"), Long.parseLong(l.get("timestamp_ms")), watts);
      }
    } catch (NumberFormatException e) {
      // not a sample the pipeline accepts: as it is
    }
  }
}

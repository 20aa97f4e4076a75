package io.marginflow.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.marginflow.topology.app.MarginflowService;
import io.marginflow.topology.query.Json;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** What {@code bench alerts} prints: the stream threads' commits, the alert and budget endpoint latencies, one JSON line. */
final class AlertReport {
  private AlertReport() {
  }

  /** Kafka Streams' own commit latency (a stream thread's commit: flushes, producer flush, offsets, end of transaction). */
  static void commitFigures(MarginflowService service, PrintWriter out) {
    Map<String, Double> m = new TreeMap<>();
    service.app().streams().metrics().forEach((name, metric) -> {
      if ("stream-thread-metrics".equals(name.group()) && name.name().matches("commit-(latency-avg|latency-max|rate)")) {
        Object v = metric.metricValue();
        if (v instanceof Number n) {
          m.merge(name.name(), n.doubleValue(), Double::sum);
        }
      }
    });
    if (Boolean.getBoolean("bench.alerts.thread-metrics")) {
      service.app().streams().metrics().forEach((name, metric) -> {
        if ("stream-thread-metrics".equals(name.group()) && metric.metricValue() instanceof Number n && n.doubleValue() != 0) {
          out.printf(Locale.ROOT, "  %s = %.3f%n", name.name(), n.doubleValue());
        }
      });
    }
    out.printf(Locale.ROOT, "stream thread commits: %.1f/s, latency avg %.1f ms, max %.1f ms%n",
        m.getOrDefault("commit-rate", -1.0), m.getOrDefault("commit-latency-avg", -1.0),
        m.getOrDefault("commit-latency-max", -1.0));
  }

  /** When the pipeline wrote the alerts (read_uncommitted): the rest of their latency is the transaction's commit. */
  static void written(PrintWriter out, List<Long> measured) {
    long[] writtenMs = measured.stream().mapToLong(Long::longValue).sorted().toArray();
    out.printf("crossing -> alert written by the pipeline (read_uncommitted): p50 %d ms  p99 %d ms%n",
        pct(writtenMs, 0.5), pct(writtenMs, 0.99));
  }

  /** The figures and the JSON line; 1 when no alert was measured. */
  static int report(PrintWriter out, AlertLoad load, long sent, List<Long> latencies, int warmupAlerts, long[] budgetMicros)
      throws Exception {
    long[] l = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
    out.printf("sent %,d usage events at %,d/s for %d tenants (%d s warm-up, %d s measured); %,d THRESHOLD alerts measured"
        + " (%,d in the warm-up, excluded)%n", sent, load.rate(), load.tenants(), load.warmupSeconds(), load.seconds(),
        l.length, warmupAlerts);
    out.printf("crossing -> alert readable (read_committed): p50 %d ms  p95 %d ms  p99 %d ms  max %d ms%n", pct(l, 0.50),
        pct(l, 0.95), pct(l, 0.99), l.length == 0 ? -1 : l[l.length - 1]);
    out.printf("budget endpoint, one keep-alive connection: p50 %.2f ms  p99 %.2f ms%n", budgetMicros[budgetMicros.length / 2]
        / 1000.0, budgetMicros[(int) (budgetMicros.length * 0.99)] / 1000.0);
    ObjectNode json = Json.MAPPER.createObjectNode().put("bench", "alerts").put("rate", load.rate())
        .put("tenants", load.tenants()).put("events", sent).put("warmup_s", load.warmupSeconds())
        .put("seconds", load.seconds()).put("alerts", l.length).put("p50_ms", pct(l, 0.50)).put("p95_ms", pct(l, 0.95))
        .put("p99_ms", pct(l, 0.99)).put("max_ms", l.length == 0 ? -1 : l[l.length - 1])
        .put("budget_p50_ms", budgetMicros[budgetMicros.length / 2] / 1000.0)
        .put("budget_p99_ms", budgetMicros[(int) (budgetMicros.length * 0.99)] / 1000.0);
    out.println(Json.MAPPER.writeValueAsString(json));
    out.flush();
    return l.length == 0 ? 1 : 0;
  }

  private static long pct(long[] sorted, double q) {
    return sorted.length == 0 ? -1 : sorted[(int) Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  }
}

package io.marginflow.ops.scenario;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * The generator's event files: a usage row per request (with a few duplicates and a few bad rows, so that every
 * scenario has dead letters) and every GPU's power each 15 s, following its node's load, with one implausible sample.
 */
final class EventFiles {
  private final GeneratorOptions o;
  private final Random rng;

  EventFiles(GeneratorOptions options, Random rng) {
    this.o = options;
    this.rng = rng;
  }

  /** Writes usage.csv; returns how many rows it has. */
  int writeUsage(Path dir, List<Workload.Request> requests) throws IOException {
    int rows = 0;
    int bad = 0;
    try (PrintWriter w = ScenarioGenerator.open(dir, Scenario.USAGE,
        "event_id,timestamp_ms,tenant_id,model,region,node_id,input_tokens,cached_input_tokens,output_tokens")) {
      for (int i = 0; i < requests.size(); i++) {
        Workload.Request r = requests.get(i);
        String line = String.format(Locale.ROOT, "%s,%d,%s,%s,%s,%s,%d,%d,%d", r.eventId(), r.timestampMs(),
            Workload.tenant(r.tenant()), ScenarioGenerator.MODELS[r.model()][0], Workload.regionOf(r.node()),
            Workload.node(r.node()), r.inputTokens(), r.cachedTokens(), r.outputTokens());
        w.println(line);
        rows++;
        if (rng.nextInt(400) == 0) {
          w.println(line);
          rows++;
        }
        if (i % Math.max(1, requests.size() / 6) == 7) {
          w.println(badRow(r, i, bad++));
          rows++;
        }
      }
    }
    return rows;
  }

  /** The {@code kind}-th bad row (kinds in turn, so that every scenario with two or more has dead letters). */
  private String badRow(Workload.Request r, int i, int kind) {
    String base = "bad-" + o.seed() + "-" + i + "," + r.timestampMs() + "," + Workload.tenant(r.tenant()) + ","
        + ScenarioGenerator.MODELS[0][0] + "," + Workload.regionOf(r.node()) + "," + Workload.node(r.node());
    return switch (kind % 5) {
      case 0 -> base + ",-5,0,10";
      case 1 -> base + ",100,200,10";
      case 2 -> "garbage line without fields";
      case 3 -> base.replace(Workload.tenant(r.tenant()), "") + ",10,0,10";
      default -> base.replace(Long.toString(r.timestampMs()), "4102444800000") + ",10,0,10";
    };
  }

  /** Writes power.csv from the nodes' load in {@code requests}. */
  void writePower(Path dir, Workload workload, List<Workload.Request> requests) throws IOException {
    double[][] load = workload.nodeLoad(requests);
    long sampleMs = ScenarioGenerator.SAMPLE_MS;
    double capacity = ScenarioGenerator.NODE_WEIGHTED_TOKENS_PER_S * sampleMs / 1000.0;
    long start = o.start().toEpochMilli();
    try (PrintWriter w = ScenarioGenerator.open(dir, Scenario.POWER, "timestamp_ms,node_id,gpu_id,interval_ms,avg_power_watts")) {
      for (int s = 0; s < load[0].length; s++) {
        for (int n = 0; n < o.nodes(); n++) {
          double util = Math.min(1.0, load[n][s] / capacity);
          for (int g = 0; g < ScenarioGenerator.GPUS; g++) {
            w.printf(Locale.ROOT, "%d,%s,%d,%d,%.1f%n", start + s * sampleMs, Workload.node(n), g, sampleMs,
                ScenarioGenerator.watts(util, rng));
          }
        }
        if (s == load[0].length / 2) {
          w.printf(Locale.ROOT, "%d,%s,0,%d,25000.0%n", start + s * sampleMs, Workload.node(0), sampleMs);
        }
      }
    }
  }
}

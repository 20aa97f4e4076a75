package io.marginflow.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.marginflow.ops.Footprint;
import io.marginflow.ops.embedded.EmbeddedStack;
import io.marginflow.ops.scenario.SyntheticLoad;
import io.marginflow.topology.app.MarginflowApp;
import io.marginflow.topology.config.MarginflowConfig;
import io.marginflow.topology.config.Topics;
import io.marginflow.topology.query.Json;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code bench memory}: many tenants and nodes through the full pipeline in this JVM (run it under the launcher's
 * -Xmx1g), sampling heap after GC, RSS, RocksDB memtables and block cache (RocksDB's own properties, as Kafka
 * Streams reports them) and state on disk while it runs; short retentions so that windows expire during the run.
 */
@Command(name = "memory", mixinStandardHelpOptions = true,
    description = {"Heap after GC, RSS, RocksDB memory and state on disk while many tenants and nodes flow through the",
        "pipeline, with short retentions so state expires within the run. Ends with one JSON line."})
final class MemoryBench implements Callable<Integer> {
  private static final double MB = 1024.0 * 1024.0;
  @Spec
  private CommandSpec spec;

  @Option(names = "--tenants", defaultValue = "100000", description = "Tenants (default: ${DEFAULT-VALUE}).")
  private int tenants;

  @Option(names = "--nodes", defaultValue = "2000", description = "Nodes, one power sample each per minute "
      + "(default: ${DEFAULT-VALUE}).")
  private int nodes;

  @Option(names = "--hours", defaultValue = "6", description = "Hours of event time (default: ${DEFAULT-VALUE}).")
  private int hours;

  @Option(names = "--rate", defaultValue = "20", description = "Usage events per second of event time "
      + "(default: ${DEFAULT-VALUE}).")
  private double rate;

  @Option(names = "--sample-seconds", defaultValue = "10", description = "Seconds between samples (default: ${DEFAULT-VALUE}).")
  private int sampleSeconds;

  @Option(names = "--set", description = "A pipeline setting, key=value (repeatable).")
  private Map<String, String> overrides = new HashMap<>();

  @Override
  public Integer call() throws Exception {
    return BenchWorkDir.run("memory", this::run);
  }

  private Integer run(Path dir) throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    long events = (long) (hours * 3600 * rate);
    try (EmbeddedStack stack = EmbeddedStack.start(dir.resolve("stack"), 0, 0)) {
      // Windows and their panes expire within the run: memory and disk should level off once they do.
      MarginflowConfig config = BenchInput.pipeline(stack, "bench-memory", dir.resolve("state"),
          Map.of("margins.windows", "1h", "margins.retention", "1h"), overrides);
      Topics topics = Topics.from(config);
      SyntheticLoad load = new SyntheticLoad(events, tenants, nodes, rate, BenchInput.startFor(events, rate), 11, 1, 60_000);
      long lastEventMs = BenchInput.preload(stack, topics, dir.resolve("reference"), out, load)[1];
      out.printf("%8s %14s %8s %14s %16s %12s%n", "seconds", "heap-after-gc", "rss", "rocksdb-memtab", "rocksdb-blockc",
          "state-disk");
      long started = System.nanoTime();
      List<Footprint> samples;
      try (MarginflowApp app = MarginflowApp.start(config, 0)) {
        samples = Footprint.whileFinalizing(app, dir.resolve("state"), lastEventMs, Duration.ofHours(6),
            Duration.ofSeconds(sampleSeconds), started, f -> {
              out.printf("%8.0f %11.1f MB %5.0f MB %11.1f MB %13.1f MB %9.1f MB%n", f.seconds(), f.heapAfterGcMb(),
                  f.rssMb(), f.memtablesMb(), f.blockCacheMb(), f.diskMb());
              out.flush();
            });
      }
      Footprint last = samples.get(samples.size() - 1);
      Footprint max = new Footprint(last.seconds(), maxOf(samples, Footprint::heapAfterGcMb), maxOf(samples, Footprint::rssMb),
          maxOf(samples, Footprint::memtablesMb), maxOf(samples, Footprint::blockCacheMb), maxOf(samples, Footprint::diskMb));
      ObjectNode json = Json.MAPPER.createObjectNode().put("bench", "memory").put("events", events)
          .put("tenants", tenants).put("nodes", nodes).put("hours", hours)
          .put("max_heap_mb", (long) Runtime.getRuntime().maxMemory() / (1024 * 1024))
          .put("heap_after_gc_mb_max", round(max.heapAfterGcMb())).put("heap_after_gc_mb_last", round(last.heapAfterGcMb()))
          .put("rss_mb_max", round(max.rssMb())).put("rocksdb_memtables_mb_max", round(max.memtablesMb()))
          .put("rocksdb_block_cache_mb_max", round(max.blockCacheMb())).put("state_disk_mb_last", round(last.diskMb()))
          .put("state_bytes_per_tenant_hour", Math.round(last.diskMb() * MB / ((double) tenants * hours)))
          .put("wall_s", round((System.nanoTime() - started) / 1e9));
      out.println(Json.MAPPER.writeValueAsString(json));
      out.flush();
      return 0;
    }
  }

  private static double maxOf(List<Footprint> samples, java.util.function.ToDoubleFunction<Footprint> f) {
    return samples.stream().mapToDouble(f).max().orElse(0);
  }

  private static double round(double v) {
    return Math.round(v * 10) / 10.0;
  }

}

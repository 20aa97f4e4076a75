package io.marginflow.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.marginflow.ops.embedded.EmbeddedStack;
import io.marginflow.ops.replay.Completion;
import io.marginflow.ops.scenario.SyntheticLoad;
import io.marginflow.topology.app.MarginflowApp;
import io.marginflow.topology.config.MarginflowConfig;
import io.marginflow.topology.config.Topics;
import io.marginflow.topology.config.TopologyConfig;
import io.marginflow.topology.query.Json;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code bench throughput}: pre-loads N usage events with their power telemetry and ticks into the embedded broker
 * (not timed), then times, on that same input and broker, (1) a plain consumer that only deserializes the usage events,
 * (2) a minimal Kafka Streams app with one windowed count per tenant under the same processing guarantee, and (3) the
 * full marginflow topology with its defaults, from start until every window is final.
 */
@Command(name = "throughput", mixinStandardHelpOptions = true,
    description = {"Events/s of the full pipeline against two baselines measured in the same run on the same input: a plain",
        "deserializing consumer and a minimal Kafka Streams windowed count; the records and bytes the pipeline sent to its",
        "internal topics per usage event. One JSON line per (tenants, nodes) point."})
final class ThroughputBench implements Callable<Integer> {
  @Spec
  private CommandSpec spec;

  @Option(names = "--events", defaultValue = "1000000", description = "Usage events (default: ${DEFAULT-VALUE}).")
  private long events;

  @Option(names = "--tenants", defaultValue = "200", split = ",", description = "Tenants, or a list of them: one point "
      + "per (tenants, nodes) pair, each on its own broker (default: ${DEFAULT-VALUE}).")
  private List<Integer> tenants;

  @Option(names = "--nodes", defaultValue = "32", split = ",", description = "Nodes of 8 GPUs, or a list of them "
      + "(default: ${DEFAULT-VALUE}).")
  private List<Integer> nodes;

  @Option(names = "--rate", defaultValue = "2000", description = "Usage events per second of event time "
      + "(default: ${DEFAULT-VALUE}).")
  private double rate;

  @Option(names = "--guarantee", defaultValue = "exactly_once_v2",
      description = "exactly_once_v2 or at_least_once, for the pipeline and the count baseline (default: ${DEFAULT-VALUE}).")
  private String guarantee;

  @Option(names = "--instances", defaultValue = "1",
      description = "Pipeline instances in this JVM, one state directory each, sharing the partitions (default: ${DEFAULT-VALUE}).")
  private int instances;

  @Option(names = "--skip-baselines", description = "Time the pipeline only.")
  private boolean skipBaselines;

  @Option(names = "--set", description = "A pipeline setting, key=value (repeatable), e.g. kafka.statestore.cache.max.bytes=...")
  private Map<String, String> overrides = new HashMap<>();

  @Override
  public Integer call() throws Exception {
    return BenchWorkDir.run("throughput", this::run);
  }

  private Integer run(Path dir) throws Exception {
    if (instances < 1) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--instances must be >= 1");
    }
    for (int t : tenants) {
      for (int n : nodes) {
        if (t < 1 || n < 1) {
          throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--tenants and --nodes must be >= 1");
        }
      }
    }
    int point = 0;
    for (int t : tenants) {
      for (int n : nodes) {
        Path pointDir = dir.resolve("point-" + point++);
        runPoint(pointDir, t, n);
        io.marginflow.ops.FileTrees.deleteRecursively(pointDir);
      }
    }
    return 0;
  }

  /** One point on its own broker: pre-load, the baselines unless skipped, the pipeline; one JSON line. */
  private void runPoint(Path dir, int tenants, int nodes) throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    try (EmbeddedStack stack = EmbeddedStack.start(dir.resolve("stack"), 0, 0)) {
      List<MarginflowConfig> configs = new ArrayList<>();
      for (int i = 0; i < instances; i++) {
        configs.add(BenchInput.pipeline(stack, "bench-pipeline", dir.resolve("pipeline-state-" + i),
            Map.of(MarginflowConfig.PROCESSING_GUARANTEE, guarantee,
                InternalTraffic.SETTING, TrafficInterceptor.class.getName()), overrides));
      }
      TrafficInterceptor.reset();
      MarginflowConfig config = configs.get(0);
      Topics topics = Topics.from(config);
      long[] loaded = BenchInput.preload(stack, topics, dir.resolve("reference"), out,
          new SyntheticLoad(events, tenants, nodes, rate, BenchInput.startFor(events, rate), 7));
      long powerSamples = loaded[0];
      long lastEventMs = loaded[1];

      Measurement consume = skipBaselines ? null
          : Measurement.of("consume", events, () -> Baselines.consume(stack, topics.usage(), events));
      Measurement count = skipBaselines ? null : Measurement.of("count", events,
          () -> Baselines.windowedCount(stack, topics.usage(), guarantee, dir.resolve("count-state"), events));
      List<MarginflowApp> started = new ArrayList<>();
      Measurement pipeline;
      InternalTraffic traffic;
      try {
        // From start until every window is final; closing the apps is not part of the work measured.
        pipeline = Measurement.of("pipeline", events, () -> {
          for (MarginflowConfig c : configs) {
            started.add(MarginflowApp.start(c, 0));
          }
          TopologyConfig shape = started.get(0).topologyConfig();
          Completion.awaitFinal(started, Completion.requiredFinalThrough(lastEventMs, shape), Duration.ofHours(2),
              new PrintStream(java.io.OutputStream.nullOutputStream()));
        });
        traffic = InternalTraffic.of(config.getString(MarginflowConfig.APPLICATION_ID));
      } finally {
        for (MarginflowApp app : started) {
          app.close();
        }
      }
      for (Measurement m : new Measurement[] {consume, count, pipeline}) {
        if (m != null) {
          out.println(m.describe());
        }
      }
      ObjectNode json = Json.MAPPER.createObjectNode().put("bench", "throughput").put("events", events)
          .put("power_samples", powerSamples).put("tenants", tenants).put("nodes", nodes).put("guarantee", guarantee)
          .put("instances", instances)
          .put("pipeline_events_per_s", Math.round(pipeline.eventsPerSecond()))
          .put("pipeline_cpu_us_per_event", pipeline.cpuMicrosPerEvent())
          .put("pipeline_gc_ms", pipeline.gcMillis()).put("pipeline_wall_s", pipeline.wallSeconds());
      traffic.describe(json, events);
      if (count != null) {
        json.put("count_baseline_events_per_s", Math.round(count.eventsPerSecond()))
            .put("consume_baseline_events_per_s", Math.round(consume.eventsPerSecond()))
            .put("ratio_to_count", Math.round(pipeline.eventsPerSecond() / count.eventsPerSecond() * 1000) / 1000.0)
            .put("ratio_to_consume", Math.round(pipeline.eventsPerSecond() / consume.eventsPerSecond() * 1000) / 1000.0);
      }
      out.println(Json.MAPPER.writeValueAsString(json));
      out.flush();
    }
  }
}

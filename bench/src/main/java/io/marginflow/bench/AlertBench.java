package io.marginflow.bench;

import io.marginflow.ops.embedded.EmbeddedStack;
import io.marginflow.ops.topics.TopicProvisioner;
import io.marginflow.serde.ConfluentAvroSerializer;
import io.marginflow.topology.TopicCatalog;
import io.marginflow.topology.app.MarginflowService;
import io.marginflow.topology.config.MarginflowConfig;
import io.marginflow.topology.config.Topics;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code bench alerts}: how soon a SPEND budget crossing is an alert a consumer can read. Paced usage (event time = the
 * wall clock at sending) for tenants whose daily limits are spread so that crossings keep coming through the run; each
 * THRESHOLD alert's latency is the time from sending the request that crossed (its observed_at_ms) to the alert being
 * readable with read_committed. Also the budget endpoint's latency on one keep-alive connection (a gateway's pre-call
 * check). The embedded broker, registry and pipeline run in this JVM, with the default commit interval. The input is
 * {@link AlertLoad}'s, the alerts are read by {@link AlertReader}, the figures printed by {@link AlertReport}.
 */
@Command(name = "alerts", mixinStandardHelpOptions = true,
    description = {"Latency from a SPEND budget crossing to its alert readable (read_committed), p50/p95/p99/max, and the",
        "budget endpoint's p50/p99. Ends with one JSON line."})
final class AlertBench implements Callable<Integer> {
  private static final String TOKEN = "bench-alerts-admin";

  @Spec
  private CommandSpec spec;

  @Option(names = "--rate", defaultValue = "2000", description = "Usage events per second (default: ${DEFAULT-VALUE}).")
  private int rate;

  @Option(names = "--seconds", defaultValue = "30", description = "Measured seconds of load (default: ${DEFAULT-VALUE}).")
  private int seconds;

  @Option(names = "--warmup-seconds", defaultValue = "15", description = "Paced load before the measured seconds, "
      + "excluded from the figures: a cold JVM compiling while Kafka Streams starts is not what a running pipeline sees "
      + "(default: ${DEFAULT-VALUE}).")
  private int warmupSeconds;

  @Option(names = "--set", description = "A pipeline setting for this run, key=value (repeatable), e.g. "
      + "kafka.producer.linger.ms=5")
  private Map<String, String> overrides = new HashMap<>();

  @Option(names = "--tenants", defaultValue = "500", description = "Tenants with a daily SPEND budget (default: ${DEFAULT-VALUE}).")
  private int tenants;

  @Override
  public Integer call() throws Exception {
    return BenchWorkDir.run("alerts", this::run);
  }

  private Integer run(Path dir) throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    AlertLoad load = new AlertLoad(rate, seconds, warmupSeconds, tenants);
    try (EmbeddedStack stack = EmbeddedStack.start(dir.resolve("stack"), 0, 0)) {
      try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers()))) {
        new TopicProvisioner(admin, (short) 1).apply(TopicCatalog.defaults().all(), false);
      }
      Topics t = Topics.defaults();
      ConfluentAvroSerializer<SpecificRecord> values = new ConfluentAvroSerializer<>();
      values.configure(Map.of("schema.registry.url", stack.registryUrl()), false);
      try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers", stack.bootstrapServers(),
          "linger.ms", 5), new StringSerializer(), new ByteArraySerializer())) {
        load.reference(producer, values, t);
        Map<String, String> settings = new HashMap<>(Map.of(MarginflowConfig.APPLICATION_ID, "bench-alerts",
            MarginflowConfig.BOOTSTRAP_SERVERS, stack.bootstrapServers(), MarginflowConfig.SCHEMA_REGISTRY_URL,
            stack.registryUrl(), MarginflowConfig.STATE_DIR, dir.resolve("state").toString(), MarginflowConfig.HTTP_PORT, "0",
            MarginflowConfig.HTTP_TOKENS, TOKEN + "=admin"));
        settings.putAll(overrides);
        try (MarginflowService service = MarginflowService.start(MarginflowConfig.of(settings))) {
          awaitRunning(service);
          List<long[]> latencies = Collections.synchronizedList(new ArrayList<>());
          AtomicBoolean reading = new AtomicBoolean(true);
          Thread reader = new Thread(() -> AlertReader.readAlerts(stack, t, reading, "read_committed", latencies),
              "bench-alert-reader");
          reader.start();
          // Where an alert waits: the same alerts read_uncommitted show when the pipeline wrote them; the rest is the
          // wait for the transaction's commit.
          List<long[]> written = Collections.synchronizedList(new ArrayList<>());
          Thread writtenReader = new Thread(() -> AlertReader.readAlerts(stack, t, reading, "read_uncommitted", written),
              "bench-alert-reader-uncommitted");
          writtenReader.start();
          long measuredFrom = System.currentTimeMillis() + warmupSeconds * 1000L;
          long sent = load.load(producer, values, t);
          // Every crossing is in by now plus a few commit intervals: read on for 5 s, then stop.
          LockSupport.parkNanos(Duration.ofSeconds(5).toNanos());
          reading.set(false);
          reader.join();
          writtenReader.join();
          AlertReport.commitFigures(service, out);
          long[] budget = BudgetLatency.measure("http://localhost:" + service.httpPort() + "/v1/tenants/tenant-0001/budget",
              TOKEN);
          List<Long> measured = AlertReader.measured(latencies, measuredFrom);
          AlertReport.written(out, AlertReader.measured(written, measuredFrom));
          return AlertReport.report(out, load, sent, measured, latencies.size() - measured.size(), budget);
        }
      }
    }
  }

  private static void awaitRunning(MarginflowService service) {
    long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
    while (service.app().streams().state() != KafkaStreams.State.RUNNING) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the pipeline did not start within 2 minutes");
      }
      LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
    }
  }
}

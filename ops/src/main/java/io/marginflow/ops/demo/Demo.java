package io.marginflow.ops.demo;

import io.marginflow.ops.FileTrees;
import io.marginflow.ops.embedded.EmbeddedStack;
import io.marginflow.ops.ingest.IngestGateway;
import io.marginflow.ops.replay.ScenarioProducer;
import io.marginflow.ops.scenario.GeneratorOptions;
import io.marginflow.ops.scenario.LiveLoad;
import io.marginflow.ops.scenario.Scenario;
import io.marginflow.ops.scenario.ScenarioGenerator;
import io.marginflow.ops.topics.TopicProvisioner;
import io.marginflow.serde.ConfluentAvroSerializer;
import io.marginflow.topology.app.MarginflowService;
import io.marginflow.topology.config.MarginflowConfig;
import io.marginflow.topology.config.Topics;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * The main job on the single-machine default: embedded broker and registry, topics, reference data, the pipeline
 * with its query API and dashboard, and a live load generator whose event time replays the last {@code lookback}
 * at {@code speed}x and then follows the wall clock. State survives restarts unless reset. This class starts and
 * stops the parts; {@link DemoLoop} runs the live load and {@link DemoConnect} the Kafka Connect worker.
 */
public final class Demo implements AutoCloseable {
  /** How often the demo's lake commits: a closed window is in the tables about this long after it is on its topic. */
  public static final Duration LAKE_COMMIT_INTERVAL = Duration.ofSeconds(10);
  private final DemoOptions options;
  private final EmbeddedStack stack;
  private final MarginflowService service;
  private final ScenarioProducer producer;
  private final IngestGateway gateway;
  private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(3, r -> {
    Thread t = new Thread(r, "marginflow-demo");
    t.setDaemon(true);
    return t;
  });
  private final DemoExporters exporters;
  private final DemoLoop loop;
  private final DemoConnect connect;

  private Demo(DemoOptions options, EmbeddedStack stack, MarginflowService service, ScenarioProducer producer,
      IngestGateway gateway, DemoExporters exporters, DemoCursor cursor) {
    this.options = options;
    this.stack = stack;
    this.service = service;
    this.producer = producer;
    this.gateway = gateway;
    this.exporters = exporters;
    this.loop = new DemoLoop(cursor);
    this.connect = new DemoConnect(options, stack, exporters);
  }

  public static Demo start(DemoOptions o, PrintStream out) throws Exception {
    if (o.reset()) {
      FileTrees.deleteRecursively(o.stateDir());
    }
    Files.createDirectories(o.stateDir());
    long now = System.currentTimeMillis();
    DemoCursor cursor = DemoCursor.open(o, now);
    EmbeddedStack stack = EmbeddedStack.start(o.stateDir().resolve("stack"), o.kafkaPort(), o.registryPort());
    ScenarioProducer producer = null;
    try {
      Topics topics = Topics.defaults();
      try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers()))) {
        new TopicProvisioner(admin, (short) 1).apply(Topics.catalog(MarginflowConfig.of(Map.of())).all(), false);
      }
      ConfluentAvroSerializer<SpecificRecord> serializer = new ConfluentAvroSerializer<>();
      serializer.configure(Map.of("schema.registry.url", stack.registryUrl()), false);
      GeneratorOptions shape = new GeneratorOptions(o.tenants(), o.nodes(), 1, o.seed(),
          Instant.ofEpochMilli(cursor.position()), o.rate(), null);
      Path reference = o.stateDir().resolve("reference");
      // Daily budgets sized to about 1.5x the lookback's spend: thresholds cross while the demo catches up to now.
      new ScenarioGenerator(shape).writeReference(reference, Math.max(1, o.lookback().toMinutes() / 60.0 * 1.5));
      producer = new ScenarioProducer(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
          stack.bootstrapServers(), ProducerConfig.LINGER_MS_CONFIG, 20), serializer, topics, DemoCursor.STEP_MS, false);
      producer.reference(Scenario.read(reference));
      MarginflowService service = MarginflowService.start(DemoSettings.pipeline(o, stack));
      // Usage arrives the way an inference fleet sends it: OTLP spans to the ingest gateway.
      IngestGateway gateway = IngestGateway.start(DemoSettings.pipeline(o, stack), DemoSettings.ingest(o));
      DemoExporters exporters = o.connect() ? new DemoExporters(ScenarioGenerator.nodeIds(o.nodes()), ScenarioGenerator.GPUS) : null;
      Demo demo = new Demo(o, stack, service, producer, gateway, exporters, cursor);
      demo.run(new LiveLoad(shape, "live-" + now), out);
      demo.connect.start(demo.scheduler, topics, demo.loop, out);
      return demo;
    } catch (Exception e) {
      if (producer != null) {
        producer.close();
      }
      stack.close();
      throw e;
    }
  }

  private void run(LiveLoad load, PrintStream out) {
    DemoSink sink = new DemoSink(producer, new DemoSpans(gateway.port(), options.adminToken()), exporters);
    loop.start(scheduler, options, load, sink, new DemoConsole(service.httpPort(), options.adminToken(), out));
  }

  public int httpPort() {
    return service.httpPort();
  }

  /** The ingest gateway's port (OTLP/HTTP and /v1/usage). */
  public int ingestPort() {
    return gateway.port();
  }

  /** Where the demo's broker listens, for the user's own consumers. */
  public String bootstrapServers() {
    return stack.bootstrapServers();
  }

  /** The demo's schema registry. */
  public String registryUrl() {
    return stack.registryUrl();
  }

  public String dashboardUrl() {
    // In the fragment: a browser never sends it to the server; the dashboard moves it out of the address bar.
    return "http://localhost:" + httpPort() + "/#token=" + options.adminToken();
  }

  @Override
  public void close() {
    connect.close();
    if (exporters != null) {
      exporters.close();
    }
    scheduler.shutdownNow();
    try {
      scheduler.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    gateway.close();
    producer.close();
    service.close();
    stack.close();
  }
}

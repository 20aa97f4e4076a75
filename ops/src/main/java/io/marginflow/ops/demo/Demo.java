package io.marginflow.ops.demo;

import io.marginflow.topology.http.Tls;
import io.marginflow.ops.FileTrees;
import io.marginflow.ops.connect.StandaloneWorker;
import io.marginflow.ops.embedded.EmbeddedStack;
import io.marginflow.ops.ingest.IngestConfig;
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
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.connect.runtime.Connect;
import org.apache.kafka.connect.runtime.standalone.StandaloneHerder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The main job on the single-machine default: embedded broker and registry, topics, reference data, the pipeline
 * with its query API and dashboard, and a live load generator whose event time replays the last {@code lookback}
 * at {@code speed}x and then follows the wall clock. State survives restarts unless reset.
 */
public final class Demo implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Demo.class);
  private static final long STEP_MS = 15_000;

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
  private final Path cursorFile;
  private volatile long cursor;
  private volatile DemoWebhooks webhooks;
  private volatile Connect<StandaloneHerder> connect;
  private final DemoExporters exporters;
  private final CountDownLatch caughtUp = new CountDownLatch(1);
  private volatile boolean closed;

  private Demo(DemoOptions options, EmbeddedStack stack, MarginflowService service, ScenarioProducer producer,
      IngestGateway gateway, DemoExporters exporters, long cursor) {
    this.options = options;
    this.stack = stack;
    this.service = service;
    this.producer = producer;
    this.gateway = gateway;
    this.exporters = exporters;
    this.cursorFile = options.stateDir().resolve("event-cursor");
    this.cursor = cursor;
  }

  public static Demo start(DemoOptions o, PrintStream out) throws Exception {
    if (o.reset()) {
      FileTrees.deleteRecursively(o.stateDir());
    }
    Files.createDirectories(o.stateDir());
    long now = System.currentTimeMillis();
    Path cursorFile = o.stateDir().resolve("event-cursor");
    long cursor = Math.floorDiv(now - o.lookback().toMillis(), STEP_MS) * STEP_MS;
    if (Files.exists(cursorFile)) {
      cursor = Math.max(cursor, Long.parseLong(Files.readString(cursorFile).trim()));
    }
    EmbeddedStack stack = EmbeddedStack.start(o.stateDir().resolve("stack"), o.kafkaPort(), o.registryPort());
    ScenarioProducer producer = null;
    try {
      Topics topics = Topics.defaults();
      try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers()))) {
        new TopicProvisioner(admin, (short) 1).apply(Topics.catalog(MarginflowConfig.of(Map.of())).all(), false);
      }
      ConfluentAvroSerializer<SpecificRecord> serializer = new ConfluentAvroSerializer<>();
      serializer.configure(Map.of("schema.registry.url", stack.registryUrl()), false);
      GeneratorOptions shape = new GeneratorOptions(o.tenants(), o.nodes(), 1, o.seed(), Instant.ofEpochMilli(cursor),
          o.rate(), null);
      Path reference = o.stateDir().resolve("reference");
      // Daily budgets sized to about 1.5x the lookback's spend: thresholds cross while the demo catches up to now.
      new ScenarioGenerator(shape).writeReference(reference, Math.max(1, o.lookback().toMinutes() / 60.0 * 1.5));
      producer = new ScenarioProducer(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
          stack.bootstrapServers(), ProducerConfig.LINGER_MS_CONFIG, 20), serializer, topics, STEP_MS, false);
      producer.reference(Scenario.read(reference));
      MarginflowService service = MarginflowService.start(MarginflowConfig.of(settings(o, stack)));
      // Usage arrives the way an inference fleet sends it: OTLP spans to the ingest gateway.
      // Open on loopback (this machine only); reachable from elsewhere, the gateway takes the admin token.
      Map<String, String> ingest = new HashMap<>(Map.of(IngestConfig.PORT, Integer.toString(o.ingestPort()),
          IngestConfig.BIND, o.bind()));
      if (!Tls.loopback(o.bind())) {
        ingest.put(IngestConfig.TOKENS, o.adminToken());
      }
      IngestGateway gateway = IngestGateway.start(MarginflowConfig.of(settings(o, stack)), new IngestConfig(ingest));
      DemoExporters exporters = o.connect() ? new DemoExporters(ScenarioGenerator.nodeIds(o.nodes()), ScenarioGenerator.GPUS) : null;
      Demo demo = new Demo(o, stack, service, producer, gateway, exporters, cursor);
      demo.run(new LiveLoad(shape, "live-" + now), out);
      demo.startConnect(topics, out);
      return demo;
    } catch (Exception e) {
      if (producer != null) {
        producer.close();
      }
      stack.close();
      throw e;
    }
  }

  private static Map<String, String> settings(DemoOptions o, EmbeddedStack stack) {
    Map<String, String> s = new HashMap<>();
    s.put(MarginflowConfig.APPLICATION_ID, "marginflow-demo");
    s.put(MarginflowConfig.BOOTSTRAP_SERVERS, stack.bootstrapServers());
    s.put(MarginflowConfig.SCHEMA_REGISTRY_URL, stack.registryUrl());
    s.put(MarginflowConfig.STATE_DIR, o.stateDir().resolve("streams").toString());
    s.put(MarginflowConfig.HTTP_PORT, Integer.toString(o.port()));
    s.put(MarginflowConfig.HTTP_BIND, o.bind());
    s.put(MarginflowConfig.HTTP_TOKENS, o.adminToken() + "=admin");
    return s;
  }

  private void run(LiveLoad load, PrintStream out) {
    DemoSink sink = new DemoSink(producer, new DemoSpans(gateway.port(), options.adminToken()), exporters);
    long wallStart = System.currentTimeMillis();
    long eventStart = cursor;
    scheduler.scheduleWithFixedDelay(() -> {
      try {
        long now = System.currentTimeMillis();
        long target = Math.min(eventStart + (long) ((now - wallStart) * options.speed()), now - 1_000);
        if (target == now - 1_000) {
          caughtUp.countDown();
        }
        while (cursor + STEP_MS <= target) {
          cursor = load.step(cursor, sink);
        }
        Files.writeString(cursorFile, Long.toString(cursor), StandardCharsets.UTF_8);
      } catch (IOException | RuntimeException e) {
        LOG.error("Load generator step failed; it is generated again", e);
      }
    }, 0, 250, TimeUnit.MILLISECONDS);
    DemoConsole console = new DemoConsole(service.httpPort(), options.adminToken(), out);
    scheduler.scheduleWithFixedDelay(() -> console.print(cursor), options.printEvery().toMillis(),
        options.printEvery().toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * The Connect worker starts beside the live load (it takes a few seconds): the alert webhook connector at once and,
   * with {@code --connect}, the DCGM power connector once event time has caught up with the wall clock (the exporters
   * speak in wall-clock time), when the demo's producer stops writing power.
   */
  private void startConnect(Topics topics, PrintStream out) {
    boolean alerts = !DemoOptions.WEBHOOK_OFF.equals(options.webhook());
    if (!alerts && exporters == null) {
      return;
    }
    String target = DemoOptions.WEBHOOK_LOCAL.equals(options.webhook()) ? null : options.webhook();
    scheduler.execute(() -> {
      try {
        Connect<StandaloneHerder> worker = DemoWebhooks.startWorker(options.stateDir().resolve("connect"),
            stack.bootstrapServers());
        synchronized (this) {
          if (closed) {
            worker.stop();
            return;
          }
          connect = worker;
        }
        if (alerts) {
          startWebhooks(worker, topics, target, out);
        }
        if (exporters != null) {
          caughtUp.await();
          int partitions = Topics.catalog(MarginflowConfig.of(Map.of())).get("power").partitions();
          StandaloneWorker.startConnector(worker, exporters.connector(stack.registryUrl(), topics.power(), partitions));
          exporters.goLive();
          LOG.info("Power now comes from the fake DCGM exporters through the {} connector", DemoExporters.CONNECTOR);
          out.println("marginflow: power now flows DCGM exporter -> power source connector (Kafka Connect) -> topology");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (Exception e) {
        LOG.error("The Connect worker or a connector did not start", e);
        out.println("marginflow: Kafka Connect did not start (" + e.getMessage() + "); see the log");
      }
    });
  }

  private void startWebhooks(Connect<StandaloneHerder> worker, Topics topics, String target, PrintStream out) {
    try {
      DemoWebhooks w = DemoWebhooks.start(worker, stack.registryUrl(), topics, target, out);
      synchronized (this) {
        if (closed) {
          w.close();
          return;
        }
        webhooks = w;
      }
      LOG.info("Alert webhook connector running, delivering to {}", target == null ? "the demo's receiver" : "the given URL");
    } catch (Exception e) {
      LOG.error("The alert webhook connector did not start; alerts stay on their topics and in /v1/alerts", e);
      out.println("marginflow: alert delivery did not start (" + e.getMessage() + "); see the log");
    }
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
    DemoWebhooks w;
    Connect<StandaloneHerder> worker;
    synchronized (this) {
      closed = true;
      w = webhooks;
      worker = connect;
    }
    if (worker != null) {
      worker.stop();
      worker.awaitStop();
    }
    if (w != null) {
      w.close();
    }
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

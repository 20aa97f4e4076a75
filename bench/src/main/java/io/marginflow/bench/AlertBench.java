package io.marginflow.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.marginflow.avro.Budget;
import io.marginflow.avro.BudgetAlert;
import io.marginflow.avro.BudgetAlertKind;
import io.marginflow.avro.BudgetMetric;
import io.marginflow.avro.BudgetPeriod;
import io.marginflow.avro.PriceBookEntry;
import io.marginflow.avro.TokenUsage;
import io.marginflow.ops.embedded.EmbeddedStack;
import io.marginflow.ops.topics.TopicProvisioner;
import io.marginflow.schemas.Money;
import io.marginflow.serde.ConfluentAvroDeserializer;
import io.marginflow.serde.ConfluentAvroSerializer;
import io.marginflow.topology.TopicCatalog;
import io.marginflow.topology.app.MarginflowService;
import io.marginflow.topology.config.MarginflowConfig;
import io.marginflow.topology.config.Topics;
import io.marginflow.topology.query.Json;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code bench alerts}: how soon a SPEND budget crossing is an alert a consumer can read. Paced usage (event time = the
 * wall clock at sending) for tenants whose daily limits are spread so that crossings keep coming through the run; each
 * THRESHOLD alert's latency is the time from sending the request that crossed (its observed_at_ms) to the alert being
 * readable with read_committed. Also the budget endpoint's latency on one keep-alive connection (a gateway's pre-call
 * check). The embedded broker, registry and pipeline run in this JVM, with the default commit interval.
 */
@Command(name = "alerts", mixinStandardHelpOptions = true,
    description = {"Latency from a SPEND budget crossing to its alert readable (read_committed), p50/p95/p99/max, and the",
        "budget endpoint's p50/p99. Ends with one JSON line."})
final class AlertBench implements Callable<Integer> {
  private static final String TOKEN = "bench-alerts-admin";
  /** 1,000 input and 100 output tokens at 1 and 2 USD per 1M: 0.0012 USD a request. */
  private static final BigDecimal REVENUE = new BigDecimal("0.0012");

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
    try (EmbeddedStack stack = EmbeddedStack.start(dir.resolve("stack"), 0, 0)) {
      try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers()))) {
        new TopicProvisioner(admin, (short) 1).apply(TopicCatalog.defaults().all(), false);
      }
      Topics t = Topics.defaults();
      ConfluentAvroSerializer<SpecificRecord> values = new ConfluentAvroSerializer<>();
      values.configure(Map.of("schema.registry.url", stack.registryUrl()), false);
      try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers", stack.bootstrapServers(),
          "linger.ms", 5), new StringSerializer(), new ByteArraySerializer())) {
        reference(producer, values, t);
        Map<String, String> settings = new HashMap<>(Map.of(MarginflowConfig.APPLICATION_ID, "bench-alerts",
            MarginflowConfig.BOOTSTRAP_SERVERS, stack.bootstrapServers(), MarginflowConfig.SCHEMA_REGISTRY_URL,
            stack.registryUrl(), MarginflowConfig.STATE_DIR, dir.resolve("state").toString(), MarginflowConfig.HTTP_PORT, "0",
            MarginflowConfig.HTTP_TOKENS, TOKEN + "=admin"));
        settings.putAll(overrides);
        try (MarginflowService service = MarginflowService.start(MarginflowConfig.of(settings))) {
          awaitRunning(service);
          List<long[]> latencies = java.util.Collections.synchronizedList(new ArrayList<>());
          AtomicBoolean reading = new AtomicBoolean(true);
          Thread reader = new Thread(() -> readAlerts(stack, t, reading, "read_committed", latencies), "bench-alert-reader");
          reader.start();
          // Where an alert waits: the same alerts read_uncommitted show when the pipeline wrote them; the rest is the
          // wait for the transaction's commit.
          List<long[]> written = java.util.Collections.synchronizedList(new ArrayList<>());
          Thread writtenReader = new Thread(() -> readAlerts(stack, t, reading, "read_uncommitted", written),
              "bench-alert-reader-uncommitted");
          writtenReader.start();
          long measuredFrom = System.currentTimeMillis() + warmupSeconds * 1000L;
          long sent = load(producer, values, t);
          // Every crossing is in by now plus a few commit intervals: read on for 5 s, then stop.
          LockSupport.parkNanos(Duration.ofSeconds(5).toNanos());
          reading.set(false);
          reader.join();
          writtenReader.join();
          commitFigures(service, out);
          long[] budget = budgetLatencies("http://localhost:" + service.httpPort() + "/v1/tenants/tenant-0001/budget");
          List<Long> measured = measured(latencies, measuredFrom);
          long[] writtenMs = measured(written, measuredFrom).stream().mapToLong(Long::longValue).sorted().toArray();
          out.printf("crossing -> alert written by the pipeline (read_uncommitted): p50 %d ms  p99 %d ms%n",
              pct(writtenMs, 0.5), pct(writtenMs, 0.99));
          return report(out, sent, measured, latencies.size() - measured.size(), budget);
        }
      }
    }
  }

  private void reference(KafkaProducer<String, byte[]> p, ConfluentAvroSerializer<SpecificRecord> v, Topics t) throws Exception {
    PriceBookEntry price = PriceBookEntry.newBuilder().setModel("m").setInputUsdPerMtok(Money.usd("1"))
        .setCachedInputUsdPerMtok(Money.usd("0.1")).setOutputUsdPerMtok(Money.usd("2")).build();
    p.send(new ProducerRecord<>(t.pricebook(), "m", v.serialize(t.pricebook(), price))).get();
    double perTenant = (double) rate / tenants;
    for (int i = 0; i < tenants; i++) {
      // Tenant i reaches its limit after its warm-up requests plus (10 + i x spread): limits crossed all through the
      // measured seconds (the 50 % and 80 % crossings of the first tenants fall into the warm-up, excluded).
      double requests = warmupSeconds * perTenant + 10 + (seconds * perTenant - 10) * i / Math.max(1, tenants - 1);
      Budget b = Budget.newBuilder().setTenantId(tenant(i)).setPeriod(BudgetPeriod.DAILY).setMetric(BudgetMetric.SPEND)
          .setLimitUsd(REVENUE.multiply(BigDecimal.valueOf(Math.max(1, Math.round(requests)))).setScale(9))
          .setThresholds(List.of(0.5, 0.8, 1.0)).build();
      p.send(new ProducerRecord<>(t.budgets(), b.getTenantId(), v.serialize(t.budgets(), b)));
    }
    p.flush();
  }

  private static String tenant(int i) {
    return String.format("tenant-%04d", i);
  }

  private long load(KafkaProducer<String, byte[]> p, ConfluentAvroSerializer<SpecificRecord> v, Topics t) {
    long start = System.nanoTime();
    long n = 0;
    long total = (long) rate * (warmupSeconds + seconds);
    while (n < total) {
      long due = start + n * 1_000_000_000L / rate;
      long wait = due - System.nanoTime();
      if (wait > 0) {
        LockSupport.parkNanos(wait);
      }
      String tenant = tenant((int) (n % tenants));
      TokenUsage u = TokenUsage.newBuilder().setEventId("e" + n).setTimestampMs(Instant.ofEpochMilli(System.currentTimeMillis()))
          .setTenantId(tenant).setModel("m").setRegion("eu").setNodeId("node-" + (n % 8)).setInputTokens(1000)
          .setCachedInputTokens(0).setOutputTokens(100).build();
      p.send(new ProducerRecord<>(t.usage(), tenant, v.serialize(t.usage(), u)));
      n++;
    }
    p.flush();
    return n;
  }

  /** Kafka Streams' own commit latency (a stream thread's commit: flushes, producer flush, offsets, end of transaction). */
  private static void commitFigures(MarginflowService service, PrintWriter out) {
    Map<String, Double> m = new java.util.TreeMap<>();
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
          out.printf(java.util.Locale.ROOT, "  %s = %.3f%n", name.name(), n.doubleValue());
        }
      });
    }
    out.printf(java.util.Locale.ROOT, "stream thread commits: %.1f/s, latency avg %.1f ms, max %.1f ms%n",
        m.getOrDefault("commit-rate", -1.0), m.getOrDefault("commit-latency-avg", -1.0),
        m.getOrDefault("commit-latency-max", -1.0));
  }

  private static List<Long> measured(List<long[]> latencies, long measuredFrom) {
    synchronized (latencies) {
      return latencies.stream().filter(a -> a[0] >= measuredFrom).map(a -> a[1]).toList();
    }
  }

  /** Each THRESHOLD alert as {observed_at_ms, latency ms}. */
  private static void readAlerts(EmbeddedStack stack, Topics t, AtomicBoolean reading, String isolation,
      List<long[]> latencies) {
    ConfluentAvroDeserializer<BudgetAlert> alerts = new ConfluentAvroDeserializer<>(BudgetAlert.class);
    alerts.configure(Map.of("schema.registry.url", stack.registryUrl()), false);
    try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of("bootstrap.servers", stack.bootstrapServers(),
        "isolation.level", isolation), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> parts = c.partitionsFor(t.alertsBudget()).stream()
          .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
      c.assign(parts);
      c.seekToBeginning(parts);
      while (reading.get()) {
        for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(20))) {
          long now = System.currentTimeMillis();
          BudgetAlert a = alerts.deserialize(r.topic(), r.value());
          if (a.getKind() == BudgetAlertKind.THRESHOLD) {
            long observed = a.getObservedAtMs().toEpochMilli();
            latencies.add(new long[] {observed, now - observed});
          }
        }
      }
    }
  }

  private static void awaitRunning(MarginflowService service) {
    long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
    while (service.app().streams().state() != org.apache.kafka.streams.KafkaStreams.State.RUNNING) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the pipeline did not start within 2 minutes");
      }
      LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
    }
  }

  /** 500 requests back to back on one keep-alive connection, after 100 unmeasured ones; latencies in µs. */
  private static long[] budgetLatencies(String url) throws Exception {
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    HttpRequest req = HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + TOKEN).build();
    // The tenant's period state is queryable once its partition has committed a request of it (and not while a
    // rebalance moves it): wait for a first answer before measuring.
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (http.send(req, HttpResponse.BodyHandlers.discarding()).statusCode() != 200) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the budget endpoint did not answer 200 within 60 s");
      }
      LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
    }
    long[] out = new long[500];
    for (int i = -100; i < out.length; i++) {
      long t0 = System.nanoTime();
      HttpResponse<byte[]> r = http.send(req, HttpResponse.BodyHandlers.ofByteArray());
      if (r.statusCode() != 200) {
        throw new IllegalStateException("budget endpoint answered " + r.statusCode());
      }
      if (i >= 0) {
        out[i] = (System.nanoTime() - t0) / 1000;
      }
    }
    Arrays.sort(out);
    return out;
  }

  private int report(PrintWriter out, long sent, List<Long> latencies, int warmupAlerts, long[] budgetMicros)
      throws Exception {
    long[] l = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
    out.printf("sent %,d usage events at %,d/s for %d tenants (%d s warm-up, %d s measured); %,d THRESHOLD alerts measured"
        + " (%,d in the warm-up, excluded)%n", sent, rate, tenants, warmupSeconds, seconds, l.length, warmupAlerts);
    out.printf("crossing -> alert readable (read_committed): p50 %d ms  p95 %d ms  p99 %d ms  max %d ms%n", pct(l, 0.50),
        pct(l, 0.95), pct(l, 0.99), l.length == 0 ? -1 : l[l.length - 1]);
    out.printf("budget endpoint, one keep-alive connection: p50 %.2f ms  p99 %.2f ms%n", budgetMicros[budgetMicros.length / 2]
        / 1000.0, budgetMicros[(int) (budgetMicros.length * 0.99)] / 1000.0);
    ObjectNode json = Json.MAPPER.createObjectNode().put("bench", "alerts").put("rate", rate).put("tenants", tenants)
        .put("events", sent).put("warmup_s", warmupSeconds).put("seconds", seconds)
        .put("alerts", l.length).put("p50_ms", pct(l, 0.50)).put("p95_ms", pct(l, 0.95))
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

package io.marginflow.bench;

import io.marginflow.avro.TenantMargin;
import io.marginflow.connectors.iceberg.IcebergSink;
import io.marginflow.connectors.iceberg.LakeTable;
import io.marginflow.ops.connect.Lake;
import io.marginflow.ops.connect.StandaloneWorker;
import io.marginflow.ops.embedded.EmbeddedStack;
import io.marginflow.ops.topics.TopicProvisioner;
import io.marginflow.serde.ConfluentAvroSerializer;
import io.marginflow.topology.TopicCatalog;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.connect.runtime.Connect;
import org.apache.kafka.connect.runtime.standalone.StandaloneHerder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code bench lake}: how long after a margin is readable on its topic it is in the lake's table. Margins are written
 * the way the pipeline writes them (transactions, every 100 ms) while the five Iceberg sinks run on a standalone
 * Connect worker; the table is read every 250 ms, and each margin's lag is the time from its transaction's commit to
 * the first read that finds it. Add the pipeline's own wait (a window is final once stream time passes its end plus
 * {@code attribution.grace}) for the time from a window's close to the table.
 */
@Command(name = "lake", mixinStandardHelpOptions = true,
    description = {"Lag from a margin readable on its topic to its row in the Iceberg table, p50/p95/max. Ends with one",
        "JSON line."})
final class LakeBench implements Callable<Integer> {
  @Spec
  private CommandSpec spec;

  @Option(names = "--rate", defaultValue = "50", description = "Margins per second (default: ${DEFAULT-VALUE}).")
  private int rate;

  @Option(names = "--seconds", defaultValue = "120", description = "Seconds of margins (default: ${DEFAULT-VALUE}).")
  private int seconds;

  @Option(names = "--commit-interval", defaultValue = "60", description = "The sinks' commit interval in seconds "
      + "(connect --lake-commit-interval; default: ${DEFAULT-VALUE}).")
  private int commitSeconds;

  @Override
  public Integer call() throws Exception {
    return BenchWorkDir.run("lake", this::run);
  }

  private Integer run(Path dir) throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    Map<String, String> catalogSettings = IcebergSink.localCatalog(dir.resolve("lake"));
    try (EmbeddedStack stack = EmbeddedStack.start(dir.resolve("stack"), 0, 0)) {
      try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers()))) {
        new TopicProvisioner(admin, (short) 1).apply(TopicCatalog.defaults().all(), false);
        Lake.prepare(admin, catalogSettings);
      }
      Connect<StandaloneHerder> connect = StandaloneWorker.start(StandaloneWorker.settings(stack.bootstrapServers(),
          dir.resolve("connect/offsets"), "http://127.0.0.1:0"));
      try {
        for (Map<String, String> sink : Lake.sinks(TopicCatalog.defaults(), Map.of("bootstrap.servers", stack.bootstrapServers()),
            stack.registryUrl(), catalogSettings, commitSeconds * 1000L)) {
          StandaloneWorker.startConnector(connect, sink);
        }
        Map<String, Long> committedAt = new ConcurrentHashMap<>();
        Map<String, Long> seenAt = new ConcurrentHashMap<>();
        AtomicBoolean writing = new AtomicBoolean(true);
        Catalog catalog = IcebergSink.catalog(catalogSettings);
        CompletableFuture<Void> reader = CompletableFuture.runAsync(() -> readTable(catalog, committedAt, seenAt,
            writing));
        try {
          write(stack, committedAt);
        } finally {
          writing.set(false);
          reader.get();
          ((AutoCloseable) catalog).close();
        }
        List<Long> lags = new ArrayList<>();
        seenAt.forEach((k, t) -> lags.add(t - committedAt.get(k)));
        Collections.sort(lags);
        return report(out, committedAt.size(), lags);
      } finally {
        connect.stop();
        connect.awaitStop();
      }
    }
  }

  /** Writes {@code rate} margins a second for {@code seconds}, a transaction every 100 ms; notes each one's commit. */
  private void write(EmbeddedStack stack, Map<String, Long> committedAt) {
    ConfluentAvroSerializer<TenantMargin> serializer = new ConfluentAvroSerializer<>();
    serializer.configure(Map.of("schema.registry.url", stack.registryUrl()), false);
    try (KafkaProducer<String, TenantMargin> producer = new KafkaProducer<>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(), ProducerConfig.TRANSACTIONAL_ID_CONFIG,
        "bench-lake"), new StringSerializer(), serializer)) {
      producer.initTransactions();
      int perBatch = Math.max(1, rate / 10);
      long start = System.nanoTime();
      int n = 0;
      for (int batch = 0; batch < seconds * 10; batch++) {
        LockSupport.parkNanos(start + batch * 100_000_000L - System.nanoTime());
        List<String> keys = new ArrayList<>();
        producer.beginTransaction();
        for (int i = 0; i < perBatch; i++, n++) {
          TenantMargin m = margin(n);
          producer.send(new ProducerRecord<>(LakeTable.TENANT_MARGINS.defaultTopic(), m.getTenantId(), m));
          keys.add(m.getTenantId());
        }
        producer.commitTransaction();
        long now = System.currentTimeMillis();
        keys.forEach(k -> committedAt.put(k, now));
      }
    }
  }

  /**
   * Reads the table every 250 ms while margins are written and after, until it holds every one (or two commit intervals
   * and 30 s pass), noting when each margin is first seen.
   */
  private void readTable(Catalog catalog, Map<String, Long> committedAt, Map<String, Long> seenAt,
      AtomicBoolean writing) {
    long deadline = Long.MAX_VALUE;
    TableIdentifier id = TableIdentifier.parse(LakeTable.TENANT_MARGINS.table());
    while ((writing.get() || seenAt.size() < committedAt.size()) && System.currentTimeMillis() < deadline) {
      if (!writing.get() && deadline == Long.MAX_VALUE) {
        deadline = System.currentTimeMillis() + 2L * commitSeconds * 1000 + 30_000;
      }
      long now = System.currentTimeMillis();
      if (catalog.tableExists(id)) {
        try (CloseableIterable<Record> rows = IcebergGenerics.read(catalog.loadTable(id)).select("tenant_id").build()) {
          rows.forEach(r -> seenAt.putIfAbsent(r.getField("tenant_id").toString(), now));
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
      LockSupport.parkNanos(Duration.ofMillis(250).toNanos());
    }
  }

  private int report(PrintWriter out, int written, List<Long> lags) {
    if (lags.isEmpty()) {
      out.println("bench lake: no margin reached the table");
      return 1;
    }
    long p50 = lags.get(lags.size() / 2);
    long p95 = lags.get((int) Math.min(lags.size() - 1, Math.round(lags.size() * 0.95)));
    long max = lags.get(lags.size() - 1);
    out.printf("bench lake: %d margins written at %d/s, %d in the table; commit interval %d s%n", written, rate,
        lags.size(), commitSeconds);
    out.printf("  topic -> table lag: p50 %.1f s, p95 %.1f s, max %.1f s%n", p50 / 1e3, p95 / 1e3, max / 1e3);
    out.printf("{\"bench\":\"lake\",\"written\":%d,\"in_table\":%d,\"commit_interval_s\":%d,\"p50_ms\":%d,"
        + "\"p95_ms\":%d,\"max_ms\":%d}%n", written, lags.size(), commitSeconds, p50, p95, max);
    out.flush();
    return lags.size() == written ? 0 : 1;
  }

  private static TenantMargin margin(int n) {
    Instant start = Instant.parse("2026-03-01T00:00:00Z").plusSeconds(3600L * (n % 24));
    BigDecimal revenue = new BigDecimal("1.000000001");
    return TenantMargin.newBuilder().setTenantId("t" + n).setWindow("1h").setWindowSizeMs(3_600_000L)
        .setWindowStartMs(start).setWindowEndMs(start.plusSeconds(3600)).setRequests(n).setInputTokens(n)
        .setCachedInputTokens(0).setOutputTokens(n).setEnergyKwh(0.001).setRevenueUsd(revenue)
        .setEnergyCostUsd(new BigDecimal("0.100000000")).setFixedCostUsd(new BigDecimal("0.100000000"))
        .setTotalCostUsd(new BigDecimal("0.200000000")).setGrossMarginUsd(new BigDecimal("0.800000001"))
        .setMarginRatio(new BigDecimal("0.800000000")).setUnpricedRequests(0).build();
  }
}

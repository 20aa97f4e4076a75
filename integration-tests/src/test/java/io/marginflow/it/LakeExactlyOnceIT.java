package io.marginflow.it;

import static io.marginflow.it.LakeAssertions.assertEachRecordOnce;
import static io.marginflow.it.LakeAssertions.assertNoDataFileInTwoSnapshots;
import static io.marginflow.it.LakeAssertions.keyFields;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.marginflow.avro.TenantMargin;
import io.marginflow.connectors.iceberg.IcebergSink;
import io.marginflow.connectors.iceberg.LakeTable;
import io.marginflow.ops.embedded.EmbeddedStack;
import io.marginflow.ops.topics.TopicProvisioner;
import io.marginflow.serde.ConfluentAvroSerializer;
import io.marginflow.topology.config.MarginflowConfig;
import io.marginflow.topology.config.Topics;
import io.marginflow.topology.query.Json;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lake exactly once through a worker's death and a rebalance: {@code bin/marginflow connect --lake --group-id}
 * runs the Iceberg sinks on a distributed Connect worker in a child JVM while margins keep arriving in transactions
 * (one in five aborted, as a crashed writer's would be). The worker is killed with SIGKILL mid-stream and started again;
 * then a second worker joins the group and takes over part of the work. In the end the margins table holds each
 * committed margin exactly once, field by field equal, none of the aborted ones, and no data file in two snapshots
 * (apache/iceberg 17340, 17551, 16282: duplicate or lost commits after task restarts and rebalances).
 */
@Tag("connect")
class LakeExactlyOnceIT {
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final String GROUP = "lake-it";
  private static final int PER_TRANSACTION = 10;
  private static final Instant T0 = Instant.parse("2026-03-01T00:00:00Z");

  @Test
  void shouldKeepEveryCommittedMarginOnceThroughAKilledWorkerAndARebalance(@TempDir Path dir) throws Exception {
    try (EmbeddedStack stack = EmbeddedStack.start(dir.resolve("stack"), 0, 0);
        Writer writer = new Writer(stack)) {
      try (Admin admin = Admin.create(Map.<String, Object>of("bootstrap.servers", stack.bootstrapServers()))) {
        new TopicProvisioner(admin, (short) 1).apply(Topics.catalog(MarginflowConfig.of(Map.of())).all(), false);
      }
      Path lake = dir.resolve("lake");
      // A lost worker's tasks go to the others after 3 s instead of Connect's 5 minutes (scheduled.rebalance.max.delay.ms).
      Path worker = Files.writeString(dir.resolve("worker.properties"),
          "scheduled.rebalance.max.delay.ms=3000\nconsumer.session.timeout.ms=10000\n");
      List<String> args = List.of("--lake", lake.toString(), "--lake-commit-interval", "1", "--group-id", GROUP,
          "--bootstrap-server", stack.bootstrapServers(), "--registry-url", stack.registryUrl(), "--worker",
          worker.toString());
      Catalog catalog = IcebergSink.catalog(IcebergSink.localCatalog(lake));
      // The workers' logs outlive the test's folder: target/lake-exactly-once/worker-*.log.
      Path logs = Files.createDirectories(Path.of("target", "lake-exactly-once"));
      try (AutoCloseable closeCatalog = (AutoCloseable) catalog) {
        killAndRebalance(writer, catalog, args, logs);
      }
    }
  }

  /** The scenario: a worker killed mid-stream and started again, a second worker joining; then the table's rows. */
  private static void killAndRebalance(Writer writer, Catalog catalog, List<String> args, Path logs) throws Exception {
    writer.start();
    ChildInstance first = ChildInstance.connect(args, logs.resolve("worker-1.log"));
    first.awaitReady(Duration.ofMinutes(1));
    awaitMoreRows(catalog, 0, 300);
    System.out.println(Instant.now() + " LakeExactlyOnceIT: killing the first worker at " + rows(catalog) + " rows");
    first.kill();
    long atKill = rows(catalog);
    try (ChildInstance again = ChildInstance.connect(args, logs.resolve("worker-1b.log"))) {
      again.awaitReady(Duration.ofMinutes(1));
      awaitMoreRows(catalog, atKill, 300);
      System.out.println(Instant.now() + " LakeExactlyOnceIT: second worker joins at " + rows(catalog) + " rows");
      try (ChildInstance second = ChildInstance.connect(args, logs.resolve("worker-2.log"))) {
        second.awaitReady(Duration.ofMinutes(1));
        Records.await(Duration.ofMinutes(2), "the second worker runs some of the sinks' tasks",
            () -> tasksOn(again, second.port()) > 0);
        awaitMoreRows(catalog, rows(catalog), 300);
        System.out.println(Instant.now() + " LakeExactlyOnceIT: writer stops at " + rows(catalog) + " rows");
        List<TenantMargin> committed = writer.stop();
        try {
          Records.await(Duration.ofMinutes(2), committed.size() + " margins in the table",
              () -> rows(catalog) >= committed.size());
        } catch (AssertionError e) {
          throw new AssertionError(e.getMessage() + " (" + rows(catalog) + " there; missing " + missing(catalog,
              committed) + ")", e);
        }
        Table table = catalog.loadTable(TableIdentifier.parse(LakeTable.TENANT_MARGINS.table()));
        assertEachRecordOnce(table, committed, keyFields(LakeTable.TENANT_MARGINS));
        assertEquals(committed.size(), rows(catalog), "no aborted margin, none twice");
        assertNoDataFileInTwoSnapshots(table);
        assertTrue(writer.aborted() > 0, "aborted transactions were written too");
        // A duplicate committed late would come after what was counted: once one more batch is in, count again.
        List<TenantMargin> all = writer.oneMore();
        Records.await(Duration.ofMinutes(1), all.size() + " margins", () -> rows(catalog) >= all.size());
        assertEquals(all.size(), rows(catalog), "none twice, also later");
        assertNoDataFileInTwoSnapshots(catalog.loadTable(TableIdentifier.parse(LakeTable.TENANT_MARGINS.table())));
      }
    }
  }

  /** The margins committed but not in the table, as ranges of their sequence numbers. */
  private static String missing(Catalog catalog, List<TenantMargin> committed) throws IOException {
    Set<String> tenants = new HashSet<>();
    try (CloseableIterable<Record> read = IcebergGenerics.read(catalog.loadTable(TableIdentifier.parse(
        LakeTable.TENANT_MARGINS.table()))).build()) {
      read.forEach(r -> tenants.add(r.getField("tenant_id").toString()));
    }
    StringBuilder ranges = new StringBuilder();
    int start = -1;
    int last = -2;
    for (TenantMargin m : committed) {
      int n = Integer.parseInt(m.getTenantId().substring(1));
      if (tenants.contains(m.getTenantId())) {
        continue;
      }
      if (n != last + 1 && n != last + 1 + PER_TRANSACTION) {
        ranges.append(start < 0 ? "" : start + ".." + last + " ");
        start = n;
      }
      last = n;
    }
    return ranges.append(start < 0 ? "none" : start + ".." + last).toString();
  }

  private static void awaitMoreRows(Catalog catalog, long from, long more) {
    Records.await(Duration.ofMinutes(2), (from + more) + " margins in the lake", () -> rows(catalog) >= from + more);
  }

  /** Rows of the margins table as its current snapshot counts them (0 before its first commit). */
  private static long rows(Catalog catalog) {
    TableIdentifier id = TableIdentifier.parse(LakeTable.TENANT_MARGINS.table());
    if (!catalog.tableExists(id)) {
      return 0;
    }
    Snapshot s = catalog.loadTable(id).currentSnapshot();
    return s == null ? 0 : Long.parseLong(s.summary().get("total-records"));
  }

  /** How many running tasks of the group's connectors the worker on {@code port} has, as {@code any} reports. */
  private static int tasksOn(ChildInstance any, int port) {
    try {
      HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + any.port()
          + "/connectors?expand=status")).build(), HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        return 0;
      }
      int n = 0;
      for (JsonNode connector : Json.MAPPER.readTree(r.body())) {
        for (JsonNode task : connector.path("status").path("tasks")) {
          if (task.path("worker_id").asText().endsWith(":" + port) && "RUNNING".equals(task.path("state").asText())) {
            n++;
          }
        }
      }
      return n;
    } catch (IOException e) {
      return 0;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 0;
    }
  }

  /**
   * Writes margins the way the pipeline does, in transactions of {@value #PER_TRANSACTION}, every 50 ms, one in five
   * aborted; each margin has its own tenant, windows over two days.
   */
  private static final class Writer implements AutoCloseable {
    private final KafkaProducer<String, TenantMargin> producer;
    private final ScheduledExecutorService pace = Executors.newSingleThreadScheduledExecutor();
    private final List<TenantMargin> committed = new ArrayList<>();
    private int transactions;
    private int aborted;
    private int next;

    Writer(EmbeddedStack stack) {
      ConfluentAvroSerializer<TenantMargin> serializer = new ConfluentAvroSerializer<>();
      serializer.configure(Map.of("schema.registry.url", stack.registryUrl()), false);
      producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(),
          ProducerConfig.TRANSACTIONAL_ID_CONFIG, "lake-it-writer"), new StringSerializer(), serializer);
      producer.initTransactions();
    }

    void start() {
      pace.scheduleAtFixedRate(this::transaction, 0, 50, TimeUnit.MILLISECONDS);
    }

    /**
     * Stops writing, then writes one more committed transaction (once it is in the table, so is everything before it);
     * returns every committed margin.
     */
    List<TenantMargin> stop() throws InterruptedException {
      pace.shutdown();
      assertTrue(pace.awaitTermination(30, TimeUnit.SECONDS));
      return oneMore();
    }

    /** One more committed transaction; every committed margin. */
    synchronized List<TenantMargin> oneMore() {
      write(false);
      return new ArrayList<>(committed);
    }

    synchronized int aborted() {
      return aborted;
    }

    private synchronized void transaction() {
      write(++transactions % 5 == 0);
    }

    private void write(boolean abort) {
      List<TenantMargin> batch = new ArrayList<>();
      producer.beginTransaction();
      for (int i = 0; i < PER_TRANSACTION; i++) {
        TenantMargin m = margin(next++);
        producer.send(new ProducerRecord<>(LakeTable.TENANT_MARGINS.defaultTopic(), m.getTenantId(), m));
        batch.add(m);
      }
      if (abort) {
        producer.abortTransaction();
        aborted++;
      } else {
        producer.commitTransaction();
        committed.addAll(batch);
      }
    }

    private static TenantMargin margin(int n) {
      BigDecimal revenue = new BigDecimal("1.000000007").add(BigDecimal.valueOf(n, 9));
      Instant start = T0.plusSeconds(3600L * (n % 48));
      return TenantMargin.newBuilder().setTenantId("t" + n).setWindow("1h").setWindowSizeMs(3_600_000L)
          .setWindowStartMs(start).setWindowEndMs(start.plusSeconds(3600)).setRequests(n).setInputTokens(7L * n)
          .setCachedInputTokens(n % 3).setOutputTokens(n % 11).setEnergyKwh(n / 1000.0).setRevenueUsd(revenue)
          .setEnergyCostUsd(new BigDecimal("0.300000001")).setFixedCostUsd(new BigDecimal("0.200000000"))
          .setTotalCostUsd(new BigDecimal("0.500000001")).setGrossMarginUsd(revenue.subtract(new BigDecimal("0.500000001")))
          .setMarginRatio(n % 2 == 0 ? null : new BigDecimal("0.500000000")).setUnpricedRequests(0).build();
    }

    @Override
    public void close() {
      pace.shutdownNow();
      producer.close(Duration.ofSeconds(5));
    }
  }
}

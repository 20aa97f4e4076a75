package io.marginflow.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.marginflow.avro.TenantMargin;
import io.marginflow.connectors.iceberg.IcebergSink;
import io.marginflow.ops.connect.StandaloneWorker;
import io.marginflow.ops.embedded.EmbeddedKafkaBroker;
import io.marginflow.serde.ConfluentAvroSerializer;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.PartitionField;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.SnapshotChanges;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.connect.runtime.Connect;
import org.apache.kafka.connect.runtime.RestartRequest;
import org.apache.kafka.connect.runtime.standalone.StandaloneHerder;
import org.apache.kafka.connect.util.FutureCallback;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Margins into an Iceberg table (the data teams' lake, first step): the Apache Iceberg sink on marginflow's in-process
 * Connect worker reads {@code margins.tenant.v1} (Confluent-wire Avro) into {@code marginflow.tenant_margins} in a
 * local lake (JDBC catalog on H2, Avro data files). Read back through Iceberg's Java API, the table holds every record
 * once, field by field equal to what was produced (money as exact decimals at scale 9, window times as timestamps);
 * after the connector and its task are restarted and more records arrive, still every record once and no data file in
 * two snapshots (the duplicate-commit failure of apache/iceberg 17340 and 16282).
 */
class IcebergSinkIT {
  private static final String TOPIC = "margins.tenant.v1";
  private static final String TABLE = "marginflow.tenant_margins";
  private static final String REGISTRY = "mock://iceberg-sink-it";

  @Test
  void shouldWriteEveryMarginOnceAndKeepItThatWayThroughARestart(@TempDir Path dir) throws Exception {
    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(dir.resolve("broker"), 0, Map.of())) {
      String bootstrap = broker.bootstrapServers();
      try (Admin admin = Admin.create(Map.<String, Object>of("bootstrap.servers", bootstrap))) {
        admin.createTopics(List.of(new NewTopic(TOPIC, 2, (short) 1), new NewTopic(IcebergSink.CONTROL_TOPIC, 1,
            (short) 1))).all().get();
      }
      Map<String, TenantMargin> produced = new TreeMap<>();
      produce(bootstrap, 0, 12, produced);
      Map<String, String> catalogSettings = IcebergSink.localCatalog(dir.resolve("lake"));
      Catalog catalog = IcebergSink.catalog(catalogSettings);
      Connect<StandaloneHerder> connect = StandaloneWorker.start(StandaloneWorker.settings(bootstrap,
          dir.resolve("connect/offsets"), "http://127.0.0.1:0"));
      try {
        StandaloneWorker.startConnector(connect, IcebergSink.config("iceberg-margins", TOPIC, TABLE, "day(window_start_ms)",
            bootstrap, REGISTRY, catalogSettings, 1_000));
        awaitRows(catalog, 12);
        FutureCallback<Void> restarted = new FutureCallback<>();
        connect.herder().restartConnectorAndTasks(new RestartRequest("iceberg-margins", false, true), (e, r) ->
            restarted.onCompletion(e, null));
        restarted.get();
        produce(bootstrap, 12, 12, produced);
        awaitRows(catalog, 24);
        Table table = catalog.loadTable(TableIdentifier.parse(TABLE));
        PartitionField partition = table.spec().fields().get(0);
        assertEquals(1, table.spec().fields().size());
        assertEquals("day", partition.transform().toString(), "partitioned by the day of the window start");
        assertEquals("window_start_ms", table.schema().findColumnName(partition.sourceId()));
        assertEachRecordOnce(table, produced);
        assertNoDataFileInTwoSnapshots(table);
      } finally {
        connect.stop();
        connect.awaitStop();
      }
    }
  }

  private static void assertEachRecordOnce(Table table, Map<String, TenantMargin> produced) throws Exception {
    Map<String, Record> rows = new TreeMap<>();
    try (CloseableIterable<Record> read = IcebergGenerics.read(table).build()) {
      for (Record r : read) {
        String key = r.getField("tenant_id") + "|" + r.getField("window") + "|" + r.getField("window_start_ms");
        assertTrue(rows.put(key, r.copy()) == null, "once: " + key);
      }
    }
    assertEquals(produced.size(), rows.size(), "every record, once");
    for (TenantMargin m : produced.values()) {
      Record r = rows.get(m.getTenantId() + "|" + m.getWindow() + "|" + OffsetDateTime.ofInstant(m.getWindowStartMs(),
          java.time.ZoneOffset.UTC));
      assertTrue(r != null, "row of " + m);
      for (org.apache.avro.Schema.Field f : m.getSchema().getFields()) {
        Object want = m.get(f.pos());
        Object got = r.getField(f.name());
        if (want instanceof Instant i) {
          assertEquals(i, ((OffsetDateTime) got).toInstant(), f.name());
        } else if (want instanceof BigDecimal d) {
          assertEquals(d, got, f.name() + ": exact, at scale " + d.scale());
        } else {
          assertEquals(want == null ? null : want.toString(), got == null ? null : got.toString(), f.name());
        }
      }
    }
  }

  private static void assertNoDataFileInTwoSnapshots(Table table) {
    Set<String> seen = new HashSet<>();
    for (Snapshot s : table.snapshots()) {
      for (DataFile f : SnapshotChanges.builderFor(table).snapshot(s).build().addedDataFiles()) {
        assertTrue(seen.add(f.location()), "data file in two snapshots: " + f.location());
      }
    }
  }

  private static void awaitRows(Catalog catalog, long rows) {
    Records.await(Duration.ofMinutes(2), rows + " rows in " + TABLE, () -> {
      if (!catalog.tableExists(TableIdentifier.parse(TABLE))) {
        return false;
      }
      Snapshot s = catalog.loadTable(TableIdentifier.parse(TABLE)).currentSnapshot();
      return s != null && Long.parseLong(s.summary().get("total-records")) >= rows;
    });
  }

  /** {@code count} margins (tenant t{i}, hour i of 2026-01-01), odd ones with a margin ratio, even ones without. */
  private static void produce(String bootstrap, int from, int count, Map<String, TenantMargin> into) throws Exception {
    ConfluentAvroSerializer<TenantMargin> serializer = new ConfluentAvroSerializer<>();
    serializer.configure(Map.of("schema.registry.url", REGISTRY), false);
    List<TenantMargin> batch = new ArrayList<>();
    for (int i = from; i < from + count; i++) {
      BigDecimal revenue = new BigDecimal("10.123456789").add(BigDecimal.valueOf(i));
      Instant start = Instant.parse("2026-01-01T00:00:00Z").plusSeconds(3600L * i);
      batch.add(TenantMargin.newBuilder().setTenantId("t" + i).setWindow("1h").setWindowSizeMs(3_600_000L)
          .setWindowStartMs(start).setWindowEndMs(start.plusSeconds(3600)).setRequests(i).setInputTokens(1000L * i)
          .setCachedInputTokens(0).setOutputTokens(2).setEnergyKwh(0.5 + i).setRevenueUsd(revenue)
          .setEnergyCostUsd(new BigDecimal("1.000000001")).setFixedCostUsd(new BigDecimal("2.000000000"))
          .setTotalCostUsd(new BigDecimal("3.000000001")).setGrossMarginUsd(revenue.subtract(new BigDecimal("3.000000001")))
          .setMarginRatio(i % 2 == 0 ? null : new BigDecimal("0.500000000")).setUnpricedRequests(0).build());
    }
    try (KafkaProducer<String, TenantMargin> p = new KafkaProducer<>(Map.of("bootstrap.servers", bootstrap),
        new StringSerializer(), serializer)) {
      for (TenantMargin m : batch) {
        p.send(new ProducerRecord<>(TOPIC, m.getTenantId(), m)).get();
        into.put(m.getTenantId(), m);
      }
    }
  }
}

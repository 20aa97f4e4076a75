package io.marginflow.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.marginflow.avro.PriceAdjustment;
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
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.avro.specific.SpecificRecord;
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
  private static final String PRICES = "pricing.adjustments.v1";
  private static final String PRICES_TABLE = "marginflow.price_adjustments";

  @Test
  void shouldWriteEveryMarginOnceAndKeepItThatWayThroughARestart(@TempDir Path dir) throws Exception {
    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(dir.resolve("broker"), 0, Map.of())) {
      String bootstrap = broker.bootstrapServers();
      try (Admin admin = Admin.create(Map.<String, Object>of("bootstrap.servers", bootstrap))) {
        admin.createTopics(List.of(new NewTopic(TOPIC, 2, (short) 1), new NewTopic(PRICES, 1, (short) 1),
            new NewTopic(IcebergSink.CONTROL_TOPIC, 1, (short) 1))).all().get();
      }
      Map<String, TenantMargin> produced = new TreeMap<>();
      produce(bootstrap, 0, 12, produced);
      List<PriceAdjustment> adjustments = adjustments(bootstrap, 8);
      Map<String, String> catalogSettings = IcebergSink.localCatalog(dir.resolve("lake"));
      Catalog catalog = IcebergSink.catalog(catalogSettings);
      // Two sinks creating the namespace at once collide in the catalog (a unique-key violation kills a task): it is
      // made first, as an operator would.
      IcebergSink.createNamespace(catalog, "marginflow");
      Connect<StandaloneHerder> connect = StandaloneWorker.start(StandaloneWorker.settings(bootstrap,
          dir.resolve("connect/offsets"), "http://127.0.0.1:0"));
      try {
        StandaloneWorker.startConnector(connect, IcebergSink.config("iceberg-margins", TOPIC, TABLE, "day(window_start_ms)",
            bootstrap, REGISTRY, catalogSettings, 1_000));
        StandaloneWorker.startConnector(connect, IcebergSink.config("iceberg-price-adjustments", PRICES, PRICES_TABLE,
            "day(effective_from_ms)", bootstrap, REGISTRY, catalogSettings, 1_000));
        awaitRows(catalog, TABLE, 12);
        awaitRows(catalog, PRICES_TABLE, 8);
        FutureCallback<Void> restarted = new FutureCallback<>();
        connect.herder().restartConnectorAndTasks(new RestartRequest("iceberg-margins", false, true), (e, r) ->
            restarted.onCompletion(e, null));
        restarted.get();
        produce(bootstrap, 12, 12, produced);
        awaitRows(catalog, TABLE, 24);
        Table table = catalog.loadTable(TableIdentifier.parse(TABLE));
        PartitionField partition = table.spec().fields().get(0);
        assertEquals(1, table.spec().fields().size());
        assertEquals("day", partition.transform().toString(), "partitioned by the day of the window start");
        assertEquals("window_start_ms", table.schema().findColumnName(partition.sourceId()));
        assertEachRecordOnce(table, produced.values(), "tenant_id", "window", "window_start_ms");
        // Price adjustments too, into their own table by the day they take effect.
        Table prices = catalog.loadTable(TableIdentifier.parse(PRICES_TABLE));
        assertEquals("day", prices.spec().fields().get(0).transform().toString());
        assertEachRecordOnce(prices, adjustments, "model", "region", "effective_from_ms");
        assertNoDataFileInTwoSnapshots(prices);
        assertNoDataFileInTwoSnapshots(table);
      } finally {
        connect.stop();
        connect.awaitStop();
      }
    }
  }

  /** Every produced record once in {@code table} (by {@code keyFields}), each field equal to the record's. */
  private static void assertEachRecordOnce(Table table, Collection<? extends SpecificRecord> produced, String... keyFields)
      throws Exception {
    Map<String, Record> rows = new TreeMap<>();
    try (CloseableIterable<Record> read = IcebergGenerics.read(table).build()) {
      for (Record r : read) {
        String key = Arrays.stream(keyFields).map(f -> String.valueOf(r.getField(f))).collect(Collectors.joining("|"));
        assertTrue(rows.put(key, r.copy()) == null, "once: " + key);
      }
    }
    assertEquals(produced.size(), rows.size(), "every record, once: " + table.name());
    for (SpecificRecord m : produced) {
      org.apache.avro.Schema schema = m.getSchema();
      String key = Arrays.stream(keyFields).map(f -> String.valueOf(column(m.get(schema.getField(f).pos()))))
          .collect(Collectors.joining("|"));
      Record r = rows.get(key);
      assertTrue(r != null, "row of " + m);
      for (org.apache.avro.Schema.Field f : schema.getFields()) {
        Object want = column(m.get(f.pos()));
        Object got = r.getField(f.name());
        if (want instanceof BigDecimal d) {
          assertEquals(d, got, f.name() + ": exact, at scale " + d.scale());
        } else {
          assertEquals(want == null ? null : want.toString(), got == null ? null : got.toString(), f.name());
        }
      }
    }
  }

  /** A record's field as the table holds it: instants as UTC timestamps, text and enum symbols as strings. */
  private static Object column(Object value) {
    if (value instanceof Instant i) {
      return OffsetDateTime.ofInstant(i, ZoneOffset.UTC);
    }
    return value instanceof CharSequence || value instanceof Enum<?> ? value.toString() : value;
  }

  private static void assertNoDataFileInTwoSnapshots(Table table) {
    Set<String> seen = new HashSet<>();
    for (Snapshot s : table.snapshots()) {
      for (DataFile f : SnapshotChanges.builderFor(table).snapshot(s).build().addedDataFiles()) {
        assertTrue(seen.add(f.location()), "data file in two snapshots: " + f.location());
      }
    }
  }

  private static void awaitRows(Catalog catalog, String table, long rows) {
    Records.await(Duration.ofMinutes(2), rows + " rows in " + table, () -> {
      if (!catalog.tableExists(TableIdentifier.parse(table))) {
        return false;
      }
      Snapshot s = catalog.loadTable(TableIdentifier.parse(table)).currentSnapshot();
      return s != null && Long.parseLong(s.summary().get("total-records")) >= rows;
    });
  }

  /** {@code count} price adjustments of model m in two regions, every 5 minutes, the first without a margin ratio. */
  private static List<PriceAdjustment> adjustments(String bootstrap, int count) throws Exception {
    ConfluentAvroSerializer<PriceAdjustment> serializer = new ConfluentAvroSerializer<>();
    serializer.configure(Map.of("schema.registry.url", REGISTRY), false);
    List<PriceAdjustment> out = new ArrayList<>();
    try (KafkaProducer<String, PriceAdjustment> p = new KafkaProducer<>(Map.of("bootstrap.servers", bootstrap),
        new StringSerializer(), serializer)) {
      for (int i = 0; i < count; i++) {
        PriceAdjustment a = PriceAdjustment.newBuilder().setModel("m").setRegion(i % 2 == 0 ? "eu-west" : "us-east")
            .setPreviousMultiplier(new BigDecimal("1.000000000")).setMultiplier(new BigDecimal("1.050000001"))
            .setEffectiveFromMs(Instant.parse("2026-01-01T00:10:00Z").plusSeconds(300L * i))
            .setRealizedMarginRatio(i == 0 ? null : new BigDecimal("-0.123456789")).setComputePressure(0.25 + i / 100.0)
            .setReason("marginal cost at 0.1, step " + i).build();
        p.send(new ProducerRecord<>(PRICES, a.getModel() + "|" + a.getRegion(), a)).get();
        out.add(a);
      }
    }
    return out;
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

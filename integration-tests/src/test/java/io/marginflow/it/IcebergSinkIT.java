package io.marginflow.it;

import static io.marginflow.it.LakeAssertions.assertEachRecordOnce;
import static io.marginflow.it.LakeAssertions.assertNoDataFileInTwoSnapshots;
import static io.marginflow.it.LakeAssertions.awaitRows;
import static io.marginflow.it.LakeAssertions.keyFields;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.marginflow.avro.AlertMetric;
import io.marginflow.avro.BudgetAlert;
import io.marginflow.avro.BudgetAlertKind;
import io.marginflow.avro.CapacityAlert;
import io.marginflow.avro.CapacityAlertKind;
import io.marginflow.avro.ModelRegionCost;
import io.marginflow.avro.PriceAdjustment;
import io.marginflow.avro.TenantMargin;
import io.marginflow.connectors.iceberg.IcebergSink;
import io.marginflow.connectors.iceberg.LakeTable;
import io.marginflow.ops.connect.Lake;
import io.marginflow.ops.connect.StandaloneWorker;
import io.marginflow.ops.embedded.EmbeddedKafkaBroker;
import io.marginflow.ops.sql.LakeSql;
import io.marginflow.ops.topics.TopicProvisioner;
import io.marginflow.registry.SchemaRegistryClients;
import io.marginflow.serde.ConfluentAvroSerializer;
import io.marginflow.topology.config.MarginflowConfig;
import io.marginflow.topology.config.Topics;
import io.marginflow.topology.query.Json;
import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.avro.Conversions;
import org.apache.avro.Schema;
import org.apache.avro.data.TimeConversions;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificRecord;
import org.apache.iceberg.PartitionField;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.connect.runtime.Connect;
import org.apache.kafka.connect.runtime.RestartRequest;
import org.apache.kafka.connect.runtime.standalone.StandaloneHerder;
import org.apache.kafka.connect.util.FutureCallback;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lake (the data teams' history): the Apache Iceberg sinks of {@link Lake#sinks} on marginflow's in-process Connect
 * worker read the margin, alert, price and unit-cost topics (Confluent-wire Avro) into their tables in a local lake
 * (JDBC catalog on H2). Read back through Iceberg's Java API, each table holds every record once, field by field equal
 * to what was produced (money as exact decimals at scale 9, times as timestamps, enums as their symbols), partitioned by
 * day; after the margins connector and its task are restarted and more records arrive, written by a newer schema with
 * one more optional field, still every record once, the new field a new column, and no data file in two snapshots (the
 * duplicate-commit failure of apache/iceberg 17340 and 16282).
 */
class IcebergSinkIT {
  private static final String REGISTRY = "mock://iceberg-sink-it";
  private static final String CARBON = "carbon_kg";
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  @Test
  void shouldWriteEveryRecordOnceIntoItsTableThroughARestartAndASchemaChange(@TempDir Path dir) throws Exception {
    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(dir.resolve("broker"), 0, Map.of())) {
      String bootstrap = broker.bootstrapServers();
      Map<String, String> catalogSettings = IcebergSink.localCatalog(dir.resolve("lake"));
      try (Admin admin = Admin.create(Map.<String, Object>of("bootstrap.servers", bootstrap))) {
        new TopicProvisioner(admin, (short) 1).apply(Topics.catalog(MarginflowConfig.of(Map.of())).all(), false);
        Lake.prepare(admin, catalogSettings);
        // Each commit coordinator starts from the control topic's start, never from its end (LakeExactlyOnceIT).
        for (LakeTable t : LakeTable.values()) {
          assertEquals(Map.of(new TopicPartition(IcebergSink.CONTROL_TOPIC, 0), new OffsetAndMetadata(0)),
              admin.listConsumerGroupOffsets(IcebergSink.coordinatorGroup(t.connector())).partitionsToOffsetAndMetadata()
                  .get(), t.connector());
        }
      }
      Map<String, TenantMargin> produced = new TreeMap<>();
      produce(bootstrap, 0, 12, produced);
      Map<LakeTable, List<SpecificRecord>> others = new EnumMap<>(LakeTable.class);
      others.put(LakeTable.PRICE_ADJUSTMENTS, send(bootstrap, LakeTable.PRICE_ADJUSTMENTS, adjustments(8)));
      others.put(LakeTable.BUDGET_ALERTS, send(bootstrap, LakeTable.BUDGET_ALERTS, budgetAlerts(6)));
      others.put(LakeTable.CAPACITY_ALERTS, send(bootstrap, LakeTable.CAPACITY_ALERTS, capacityAlerts(4)));
      others.put(LakeTable.UNIT_COSTS, send(bootstrap, LakeTable.UNIT_COSTS, unitCosts(6)));
      Catalog catalog = IcebergSink.catalog(catalogSettings);
      Connect<StandaloneHerder> connect = StandaloneWorker.start(StandaloneWorker.settings(bootstrap,
          dir.resolve("connect/offsets"), "http://127.0.0.1:0"));
      try {
        for (Map<String, String> sink : Lake.sinks(Topics.catalog(MarginflowConfig.of(Map.of())),
            Map.of("bootstrap.servers", bootstrap), REGISTRY, catalogSettings, 1_000)) {
          StandaloneWorker.startConnector(connect, sink);
        }
        String margins = LakeTable.TENANT_MARGINS.table();
        awaitRows(catalog, margins, 12);
        others.forEach((t, records) -> awaitRows(catalog, t.table(), records.size()));
        Instant firstBatchIn = Instant.now();
        FutureCallback<Void> restarted = new FutureCallback<>();
        connect.herder().restartConnectorAndTasks(new RestartRequest(LakeTable.TENANT_MARGINS.connector(), false, true),
            (e, r) -> restarted.onCompletion(e, null));
        restarted.get();
        produceEvolved(bootstrap, 12, 12, produced);
        awaitRows(catalog, margins, 24);
        Table table = catalog.loadTable(TableIdentifier.parse(margins));
        assertPartitionedByDay(table, LakeTable.TENANT_MARGINS);
        assertEachRecordOnce(table, produced.values(), keyFields(LakeTable.TENANT_MARGINS));
        assertCarbonColumn(table);
        assertSql(catalog, produced.values(), firstBatchIn);
        assertNoDataFileInTwoSnapshots(table);
        for (Map.Entry<LakeTable, List<SpecificRecord>> e : others.entrySet()) {
          Table t = catalog.loadTable(TableIdentifier.parse(e.getKey().table()));
          assertPartitionedByDay(t, e.getKey());
          assertEachRecordOnce(t, e.getValue(), keyFields(e.getKey()));
          assertNoDataFileInTwoSnapshots(t);
        }
      } finally {
        connect.stop();
        connect.awaitStop();
        ((AutoCloseable) catalog).close();
      }
    }
  }

  /**
   * bin/marginflow sql's engine over the lake: margin by tenant and day equals a reference sum of the produced records
   * to the nano-dollar; read as of a time before the second batch, the table has only the first batch.
   */
  private static void assertSql(Catalog catalog, Collection<TenantMargin> produced, Instant firstBatchIn)
      throws Exception {
    Map<String, BigDecimal[]> reference = new TreeMap<>();
    for (TenantMargin m : produced) {
      String key = m.getTenantId() + "|" + m.getWindowStartMs().atZone(ZoneOffset.UTC).toLocalDate();
      BigDecimal[] sums = reference.computeIfAbsent(key, k -> new BigDecimal[] {BigDecimal.ZERO, BigDecimal.ZERO});
      sums[0] = sums[0].add(m.getRevenueUsd());
      sums[1] = sums[1].add(m.getGrossMarginUsd());
    }
    String query = "SELECT tenant_id, CAST(window_start_ms AS DATE) AS day, sum(revenue_usd) AS revenue_usd, "
        + "sum(gross_margin_usd) AS gross_margin_usd FROM tenant_margins GROUP BY 1, 2 ORDER BY 1, 2";
    Map<String, BigDecimal[]> got = new TreeMap<>();
    try (LakeSql sql = LakeSql.open(catalog, query, null); Statement s = sql.connection().createStatement();
        ResultSet rows = s.executeQuery(query)) {
      while (rows.next()) {
        got.put(rows.getString(1) + "|" + rows.getObject(2, LocalDate.class), new BigDecimal[] {
            rows.getBigDecimal(3), rows.getBigDecimal(4)});
      }
    }
    assertEquals(reference.keySet(), got.keySet());
    reference.forEach((k, want) -> {
      assertEquals(want[0], got.get(k)[0], "revenue " + k);
      assertEquals(want[1], got.get(k)[1], "gross margin " + k);
    });
    String count = "SELECT count(*) FROM marginflow.tenant_margins";
    try (LakeSql sql = LakeSql.open(catalog, count, firstBatchIn); Statement s = sql.connection().createStatement();
        ResultSet rows = s.executeQuery(count)) {
      rows.next();
      assertEquals(12, rows.getLong(1), "as of the first batch: rows committed after it are not read");
    }
  }

  private static void assertPartitionedByDay(Table table, LakeTable t) {
    assertEquals(1, table.spec().fields().size(), table.name());
    PartitionField partition = table.spec().fields().get(0);
    assertEquals("day", partition.transform().toString(), "partitioned by day: " + table.name());
    assertEquals(t.partitionColumn(), table.schema().findColumnName(partition.sourceId()), table.name());
  }

  /** The newer schema's optional field is a column: null in the rows written before it, the value after. */
  private static void assertCarbonColumn(Table table) throws Exception {
    assertTrue(table.schema().findField(CARBON) != null, "new optional field as a column: " + table.schema());
    assertTrue(table.schema().findField(CARBON).isOptional());
    int seen = 0;
    try (CloseableIterable<Record> read = IcebergGenerics.read(table).build()) {
      for (Record r : read) {
        int i = Integer.parseInt(r.getField("tenant_id").toString().substring(1));
        assertEquals(i < 12 ? null : carbon(i), r.getField(CARBON), "carbon of t" + i);
        seen++;
      }
    }
    assertEquals(24, seen);
  }

  /** {@code count} price adjustments of model m in two regions, every 5 minutes, the first without a margin ratio. */
  private static List<SpecificRecord> adjustments(int count) {
    List<SpecificRecord> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      out.add(PriceAdjustment.newBuilder().setModel("m").setRegion(i % 2 == 0 ? "eu-west" : "us-east")
          .setPreviousMultiplier(new BigDecimal("1.000000000")).setMultiplier(new BigDecimal("1.050000001"))
          .setEffectiveFromMs(T0.plusSeconds(600 + 300L * i))
          .setRealizedMarginRatio(i == 0 ? null : new BigDecimal("-0.123456789")).setComputePressure(0.25 + i / 100.0)
          .setReason("marginal cost at 0.1, step " + i).build());
    }
    return out;
  }

  /** Threshold alerts (a metric, a limit) and negative-margin alerts (neither), on two days. */
  private static List<SpecificRecord> budgetAlerts(int count) {
    List<SpecificRecord> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      boolean threshold = i % 2 == 0;
      Instant start = T0.plus(Duration.ofHours(20L * i));
      out.add(BudgetAlert.newBuilder().setAlertId("ba-" + i).setTenantId("t" + i)
          .setKind(threshold ? BudgetAlertKind.THRESHOLD : BudgetAlertKind.NEGATIVE_MARGIN)
          .setMetric(threshold ? AlertMetric.SPEND : null).setPeriodStartMs(start).setPeriodEndMs(start.plusSeconds(3600))
          .setAmountUsd(new BigDecimal("80.000000001").add(BigDecimal.valueOf(i)))
          .setLimitUsd(threshold ? new BigDecimal("100.000000000") : null).setThreshold(threshold ? 0.8 : null)
          .setObservedAtMs(start.plusSeconds(1800)).setMessage("alert " + i).build());
    }
    return out;
  }

  private static List<SpecificRecord> capacityAlerts(int count) {
    List<SpecificRecord> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      Instant start = T0.plus(Duration.ofHours(13L * i));
      out.add(CapacityAlert.newBuilder().setAlertId("ca-" + i).setKind(CapacityAlertKind.ZOMBIE_NODE)
          .setNodeId("node-" + i).setWindowStartMs(start).setWindowEndMs(start.plusSeconds(3600))
          .setNodeCostUsd(new BigDecimal("2.000000002")).setIdleCostUsd(new BigDecimal("1.960000001"))
          .setIdleShare(0.98).setObservedAtMs(start.plusSeconds(3600)).build());
    }
    return out;
  }

  /** Unit costs of (m, eu-west) per 5-minute interval, the first without tokens (no per-token figures). */
  private static List<SpecificRecord> unitCosts(int count) {
    List<SpecificRecord> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      Instant start = T0.plusSeconds(300L * i);
      BigDecimal perM = i == 0 ? null : new BigDecimal("0.123456789").add(BigDecimal.valueOf(i));
      out.add(ModelRegionCost.newBuilder().setModel("m").setRegion("eu-west").setIntervalStartMs(start)
          .setIntervalEndMs(start.plusSeconds(300)).setRequests(i).setOutputTokens(100L * i).setTotalTokens(300L * i)
          .setRevenueUsd(new BigDecimal("0.500000001")).setCostUsd(new BigDecimal("0.400000002")).setEnergyKwh(0.01 * i)
          .setCostUsdPer1mOutputTokens(perM).setCostUsdPer1mTokens(perM).setRevenueUsdPer1mOutputTokens(perM)
          .setRevenueUsdPer1mTokens(perM).setKwhPer1mOutputTokens(i == 0 ? null : 1.5).setKwhPer1mTokens(null)
          .setIdleShare(0.1).setComputePressure(0.6).setMultiplier(new BigDecimal("1.020000000"))
          .setMarginalCostUsdPer1mInputTokens(perM).setMarginalCostUsdPer1mOutputTokens(perM).build());
    }
    return out;
  }

  /** Sends {@code records} to the table's topic, keyed by their first field; returns them. */
  private static List<SpecificRecord> send(String bootstrap, LakeTable table, List<SpecificRecord> records)
      throws Exception {
    ConfluentAvroSerializer<SpecificRecord> serializer = new ConfluentAvroSerializer<>();
    serializer.configure(Map.of("schema.registry.url", REGISTRY), false);
    try (KafkaProducer<String, SpecificRecord> p = new KafkaProducer<>(Map.of("bootstrap.servers", bootstrap),
        new StringSerializer(), serializer)) {
      for (SpecificRecord r : records) {
        p.send(new ProducerRecord<>(table.defaultTopic(), String.valueOf(r.get(0)), r)).get();
      }
    }
    return records;
  }

  /** {@code count} margins (tenant t{i}, hour i of 2026-01-01), odd ones with a margin ratio, even ones without. */
  private static List<TenantMargin> margins(int from, int count) {
    List<TenantMargin> batch = new ArrayList<>();
    for (int i = from; i < from + count; i++) {
      BigDecimal revenue = new BigDecimal("10.123456789").add(BigDecimal.valueOf(i));
      Instant start = T0.plusSeconds(3600L * i);
      batch.add(TenantMargin.newBuilder().setTenantId("t" + i).setWindow("1h").setWindowSizeMs(3_600_000L)
          .setWindowStartMs(start).setWindowEndMs(start.plusSeconds(3600)).setRequests(i).setInputTokens(1000L * i)
          .setCachedInputTokens(0).setOutputTokens(2).setEnergyKwh(0.5 + i).setRevenueUsd(revenue)
          .setEnergyCostUsd(new BigDecimal("1.000000001")).setFixedCostUsd(new BigDecimal("2.000000000"))
          .setTotalCostUsd(new BigDecimal("3.000000001")).setGrossMarginUsd(revenue.subtract(new BigDecimal("3.000000001")))
          .setMarginRatio(i % 2 == 0 ? null : new BigDecimal("0.500000000")).setUnpricedRequests(0).build());
    }
    return batch;
  }

  private static void produce(String bootstrap, int from, int count, Map<String, TenantMargin> into) throws Exception {
    List<SpecificRecord> batch = new ArrayList<>(margins(from, count));
    send(bootstrap, LakeTable.TENANT_MARGINS, batch);
    batch.forEach(m -> into.put(((TenantMargin) m).getTenantId(), (TenantMargin) m));
  }

  /**
   * Margins written by a newer TenantMargin schema with one more optional field, {@value #CARBON} (registered as its
   * next version; adding an optional field is backward compatible), the way a rolled-out marginflow would write them.
   */
  private static void produceEvolved(String bootstrap, int from, int count, Map<String, TenantMargin> into)
      throws Exception {
    ObjectNode json = (ObjectNode) Json.MAPPER.readTree(TenantMargin.getClassSchema().toString());
    ((ArrayNode) json.get("fields")).addObject().put("name", CARBON).putNull("default").putArray("type").add("null")
        .add("double");
    Schema evolved = new Schema.Parser().parse(json.toString());
    String topic = LakeTable.TENANT_MARGINS.defaultTopic();
    int id = SchemaRegistryClients.create(Map.of("schema.registry.url", REGISTRY)).register(topic + "-value", evolved);
    GenericData data = new GenericData();
    data.addLogicalTypeConversion(new Conversions.DecimalConversion());
    data.addLogicalTypeConversion(new TimeConversions.TimestampMillisConversion());
    GenericDatumWriter<GenericRecord> writer = new GenericDatumWriter<>(evolved, data);
    try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(Map.of("bootstrap.servers", bootstrap),
        new StringSerializer(), new ByteArraySerializer())) {
      for (TenantMargin m : margins(from, count)) {
        GenericRecord g = new GenericData.Record(evolved);
        m.getSchema().getFields().forEach(f -> g.put(f.name(), m.get(f.pos())));
        g.put(CARBON, carbon(Integer.parseInt(m.getTenantId().substring(1))));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(ByteBuffer.allocate(5).put((byte) 0).putInt(id).array());
        BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
        writer.write(g, encoder);
        encoder.flush();
        p.send(new ProducerRecord<>(topic, m.getTenantId(), out.toByteArray())).get();
        into.put(m.getTenantId(), m);
      }
    }
  }

  private static Double carbon(int i) {
    return 0.25 * i;
  }
}

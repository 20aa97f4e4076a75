package io.marginflow.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.marginflow.avro.BudgetAlert;
import io.marginflow.avro.CapacityAlert;
import io.marginflow.connectors.alerts.AlertBodies;
import io.marginflow.connectors.iceberg.IcebergSink;
import io.marginflow.connectors.iceberg.LakeTable;
import io.marginflow.ops.demo.Demo;
import io.marginflow.ops.demo.DemoOptions;
import io.marginflow.schemas.AvroJson;
import io.marginflow.topology.config.Topics;
import io.marginflow.topology.serde.MarginflowSerdes;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.avro.specific.SpecificRecord;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code marginflow demo} delivers its alerts through the webhook sink connector on a Connect worker to the demo's
 * receiver, which prints each one once; with {@code --lake}, every margin, alert, price adjustment and unit cost
 * committed reaches its Iceberg table once, equal field by field. Runs with the other Connect test in its own JVM (tag "connect").
 */
@Tag("connect")
class DemoWebhooksIT {
  private static final String PREFIX = "webhook ";

  @Test
  void shouldPrintEveryCommittedAlertOnceAsTheWebhookReceivesIt(@TempDir Path dir) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    DemoOptions options = new DemoOptions(dir.resolve("demo"), 0, 0, 0, Duration.ofHours(2), 720, 8, 4, 3, 10, true,
        Duration.ofMinutes(10)).withWebhook(DemoOptions.WEBHOOK_LOCAL).withLake(dir.resolve("lake"));
    try (Demo demo = Demo.start(options, out)) {
      Records.await(Duration.ofMinutes(3), "budget and capacity alerts printed by the demo's webhook receiver",
          () -> printed(bytes).stream().anyMatch(l -> l.startsWith("THRESHOLD"))
              && printed(bytes).stream().anyMatch(l -> l.startsWith("ZOMBIE_NODE")));
      MarginflowSerdes serdes = new MarginflowSerdes(Map.of("schema.registry.url", demo.registryUrl()));
      Topics topics = Topics.defaults();
      List<String> committed = new ArrayList<>(alerts(demo, topics.alertsBudget(), serdes, BudgetAlert.class));
      committed.addAll(alerts(demo, topics.alertsCapacity(), serdes, CapacityAlert.class));
      // Every alert committed so far arrives at the receiver (the connector reads read_committed), and is printed once.
      Records.await(Duration.ofMinutes(1), "the " + committed.size() + " committed alerts printed",
          () -> printed(bytes).containsAll(committed));
      Map<String, Long> times = printed(bytes).stream().collect(Collectors.groupingBy(Function.identity(),
          Collectors.counting()));
      for (String alert : committed) {
        assertEquals(1L, times.get(alert), "printed once: " + alert);
      }
      assertTrue(committed.size() >= 2, "the demo raises budget and capacity alerts: " + committed);
      Catalog catalog = IcebergSink.catalog(IcebergSink.localCatalog(dir.resolve("lake")));
      try {
        assertLake(demo, serdes, catalog);
      } finally {
        ((AutoCloseable) catalog).close();
      }
    }
  }

  /** Every record committed so far to each lake table's topic reaches the table, once, field by field equal. */
  private static void assertLake(Demo demo, MarginflowSerdes serdes, Catalog catalog) throws Exception {
    for (LakeTable t : LakeTable.values()) {
      Map<String, Object> consumer = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, demo.bootstrapServers(),
          ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed", ConsumerConfig.GROUP_ID_CONFIG, "demo-lake-it");
      List<SpecificRecord> committed = Records.readToEnd(consumer, t.defaultTopic(), Duration.ofSeconds(10),
          new StringDeserializer(), serdes.value(LakeAssertions.valueType(t)).deserializer()).stream()
          .map(r -> (SpecificRecord) r.value()).toList();
      // The demo makes margins, both kinds of alert and unit costs by now; price changes depend on its load.
      assertTrue(t == LakeTable.PRICE_ADJUSTMENTS || !committed.isEmpty(), "records on " + t.defaultTopic());
      Records.await(Duration.ofMinutes(1), "the " + committed.size() + " committed records of " + t.defaultTopic()
          + " in " + t.table(), () -> LakeAssertions.holdsAll(catalog, t, committed));
      if (!committed.isEmpty()) {
        LakeAssertions.assertContainsEachOnce(catalog.loadTable(TableIdentifier.parse(t.table())), committed,
            LakeAssertions.keyFields(t));
      }
    }
  }

  /** The summary part of each line the demo printed for a delivered alert ("webhook HH:MM:SS summary"). */
  private static List<String> printed(ByteArrayOutputStream bytes) {
    return bytes.toString(StandardCharsets.UTF_8).lines().filter(l -> l.startsWith(PREFIX))
        .map(l -> l.substring(PREFIX.length() + "HH:MM:SS  ".length())).toList();
  }

  private static <T extends SpecificRecord> List<String> alerts(Demo demo, String topic, MarginflowSerdes serdes,
      Class<T> type) {
    Map<String, Object> consumer = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, demo.bootstrapServers(),
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed", ConsumerConfig.GROUP_ID_CONFIG, "demo-webhooks-it");
    return Records.readToEnd(consumer, topic, Duration.ofSeconds(10), new StringDeserializer(),
        serdes.value(type).deserializer()).stream().map(r -> AlertBodies.summary(AvroJson.toJson(r.value()))).toList();
  }
}

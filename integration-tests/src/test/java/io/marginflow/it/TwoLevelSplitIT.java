package io.marginflow.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.marginflow.avro.ModelRegionCost;
import io.marginflow.avro.TenantMargin;
import io.marginflow.avro.internal.AttributionInput;
import io.marginflow.ops.replay.JsonLines;
import io.marginflow.ops.replay.ScenarioProducer;
import io.marginflow.ops.scenario.GeneratorOptions;
import io.marginflow.ops.scenario.Scenario;
import io.marginflow.ops.scenario.ScenarioGenerator;
import io.marginflow.serde.ConfluentAvroSerializer;
import io.marginflow.topology.app.MarginflowService;
import io.marginflow.topology.config.MarginflowConfig;
import io.marginflow.topology.config.Topics;
import io.marginflow.topology.serde.MarginflowSerdes;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The two-level split (SPEC 3) on a real broker with six usage partitions, dynamic pricing on (its decisions reach the
 * usage partitions through the node tasks): every hourly and rolling-day margin and every unit cost against the
 * independent reference with the multipliers the pipeline published, each window once, and no line crossing the
 * cluster (the share-by-tenant topic does not exist, usage-by-node carries loads and marks only).
 */
@WithKafkaStack
class TwoLevelSplitIT {

  @Test
  void shouldMatchTheReferenceWithLinesKeptInTheirUsagePartition(KafkaStack kafka, @TempDir Path dir) throws Exception {
    String app = "two-level-it";
    Topics topics = Topics.defaults();
    Pipelines.createTopicsForHistory(kafka);
    Path files = dir.resolve("scenario");
    new ScenarioGenerator(new GeneratorOptions(40, 6, 2, 31, GeneratorOptions.DEFAULT_START, 2, null)).write(files);
    Scenario all = Scenario.read(files);
    ConfluentAvroSerializer<SpecificRecord> serializer = new ConfluentAvroSerializer<>();
    serializer.configure(Map.of("schema.registry.url", kafka.registryUrl()), false);
    MarginflowSerdes serdes = new MarginflowSerdes(Map.of("schema.registry.url", kafka.registryUrl()));
    int expected = ReferenceMargins.compute(files, System.currentTimeMillis()).size();
    int unitCosts = ReferenceMargins.computeAll(files, System.currentTimeMillis(),
        ReferenceMargins.multipliers(List.of())).unitCosts().size();
    Map<String, String> s = Pipelines.settings(kafka, app, dir.resolve("state"));
    s.put("kafka.repartition.purge.interval.ms", "86400000");
    try (ScenarioProducer producer = new ScenarioProducer(kafka.bootstrapServers(), serializer, topics, 60_000);
        Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
      producer.reference(all);
      try (MarginflowService service = MarginflowService.start(MarginflowConfig.of(s))) {
        producer.events(all, System.currentTimeMillis(), 25 * 3_600_000L, System.err);
        Records.await(Duration.ofMinutes(3), expected + " hourly margins", () -> read(kafka, serdes, topics.margins())
            .stream().filter(r -> r.value().getWindow().equals("1h")).count() >= expected);
        Records.await(Duration.ofMinutes(1), unitCosts + " unit costs", () -> unitCosts(kafka, serdes).size() >= unitCosts);
      }
      assertTrue(admin.listTopics().names().get().stream().noneMatch(t -> t.contains("share-by-tenant")),
          "no share-by-tenant topic on the two-level path");
    }
    List<ConsumerRecord<String, AttributionInput>> byNode = Records.readToEnd(kafka.consumerConfig("two-level-loads"),
        app + "-usage-by-node-repartition", Duration.ofSeconds(10), new StringDeserializer(),
        serdes.value(AttributionInput.class).deserializer());
    long loads = byNode.stream().filter(r -> r.value().getLoad() != null).count();
    System.err.printf("TwoLevelSplitIT: %d usage events, %d records on usage-by-node, %d of them loads%n",
        all.usage().size(), byNode.size(), loads);
    assertTrue(loads > 0, "the usage tasks sent loads");
    assertTrue(byNode.stream().allMatch(r -> r.value().getLine() == null && r.value().getCharge() == null),
        "no request line crossed to the node tasks");
    int adjustments = Records.readToEnd(kafka.consumerConfig("two-level-adjustments"), topics.pricing(),
        Duration.ofSeconds(10), new StringDeserializer(), new StringDeserializer()).size();
    assertTrue(adjustments > 0, "the fleet is repriced: multipliers other than 1 reach the usage partitions");
    List<JsonNode> out = ReferenceMargins.eachWindowOnce(read(kafka, serdes, topics.margins()));
    assertEquals(expected, out.stream().filter(m -> m.get("window").asText().equals("1h")).count());
    ReferenceMargins.assertMatches(files, out, ReferenceMargins.multipliers(kafka));
    ReferenceMargins.assertRollingDaysAddUpTheirHours(out);
    // Pricing's sums now come from the usage partitions' slices: the unit costs per (model, region) and interval too.
    ReferenceUnitCosts.assertUnitCosts(files, unitCosts(kafka, serdes), ReferenceMargins.multipliers(kafka));
  }

  private static List<JsonNode> unitCosts(KafkaStack kafka, MarginflowSerdes serdes) {
    return Records.readToEnd(kafka.consumerConfig("two-level-costs"), Topics.defaults().costs(), Duration.ofSeconds(10),
        new StringDeserializer(), serdes.value(ModelRegionCost.class).deserializer()).stream()
        .map(r -> (JsonNode) JsonLines.toJson(r.value())).toList();
  }

  private static List<ConsumerRecord<String, TenantMargin>> read(KafkaStack kafka, MarginflowSerdes serdes, String topic) {
    return Records.readToEnd(kafka.consumerConfig("two-level-reader"), topic, Duration.ofSeconds(10),
        new StringDeserializer(), serdes.value(TenantMargin.class).deserializer());
  }
}

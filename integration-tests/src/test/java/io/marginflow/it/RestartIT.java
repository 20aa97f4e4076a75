package io.marginflow.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.marginflow.avro.TenantMargin;
import io.marginflow.ops.replay.ScenarioProducer;
import io.marginflow.ops.scenario.GeneratorOptions;
import io.marginflow.ops.scenario.Scenario;
import io.marginflow.ops.scenario.ScenarioGenerator;
import io.marginflow.serde.ConfluentAvroSerializer;
import io.marginflow.topology.app.MarginflowService;
import io.marginflow.topology.config.MarginflowConfig;
import io.marginflow.topology.config.Topics;
import io.marginflow.topology.serde.MarginflowSerdes;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The instance stops halfway through a scenario and a new one resumes from the same state folder: every margin
 * is still emitted exactly once and matches the independent reference.
 */
@WithKafkaStack
class RestartIT {

  @Test
  void shouldEmitEachMarginOnceAcrossARestart(KafkaStack kafka, @TempDir Path dir) throws Exception {
    Topics topics = Topics.defaults();
    Pipelines.createTopicsForHistory(kafka);
    Path files = dir.resolve("scenario");
    new ScenarioGenerator(new GeneratorOptions(8, 4, 2, 21, GeneratorOptions.DEFAULT_START, 3, null)).write(files);
    Scenario all = Scenario.read(files);
    long middle = GeneratorOptions.DEFAULT_START.toEpochMilli() + 3_600_000L + 1_234_567L;
    Scenario first = Pipelines.slice(all, Long.MIN_VALUE, middle);
    Scenario second = Pipelines.slice(all, middle, Long.MAX_VALUE);
    Map<String, String> settings = Pipelines.settings(kafka, "restart-it", dir.resolve("state"));
    ConfluentAvroSerializer<SpecificRecord> serializer = new ConfluentAvroSerializer<>();
    serializer.configure(Map.of("schema.registry.url", kafka.registryUrl()), false);
    MarginflowSerdes serdes = new MarginflowSerdes(Map.of("schema.registry.url", kafka.registryUrl()));

    Map<String, ReferenceMargins.Expected> reference = ReferenceMargins.compute(files, System.currentTimeMillis());
    long firstHour = reference.keySet().stream().filter(k -> k.endsWith("|" + GeneratorOptions.DEFAULT_START.toEpochMilli()))
        .count();
    try (ScenarioProducer producer = new ScenarioProducer(kafka.bootstrapServers(), serializer, topics, 60_000)) {
      producer.reference(all);
      try (MarginflowService service = MarginflowService.start(MarginflowConfig.of(settings))) {
        producer.events(first, System.currentTimeMillis(), 0, System.err);
        // Stop once the first hour is out, with the second hour half-way through its buckets.
        assertEquals(firstHour, readMargins(kafka, serdes, (int) firstHour, Duration.ofMinutes(2)).size());
      }
      try (MarginflowService service = MarginflowService.start(MarginflowConfig.of(settings))) {
        producer.events(second, System.currentTimeMillis(), 25 * 3_600_000L, System.err);
        List<TenantMargin> hourly = readMargins(kafka, serdes, reference.size(), Duration.ofMinutes(3));
        Map<String, TenantMargin> byKey = new HashMap<>();
        for (TenantMargin m : hourly) {
          String key = m.getTenantId() + "|" + m.getWindowStartMs().toEpochMilli();
          assertEquals(null, byKey.put(key, m), "emitted twice: " + key);
        }
        assertEquals(reference.keySet(), byKey.keySet());
        // Revenue as SPEC 4 defines it: each request at the multiplier the pipeline published for its time.
        Map<String, ReferenceMargins.Expected> priced = ReferenceMargins.computeAll(files, System.currentTimeMillis(),
            ReferenceMargins.multipliers(kafka)).tenantHours();
        priced.forEach((key, e) -> {
          TenantMargin m = byKey.get(key);
          assertEquals(e.requests, m.getRequests(), key);
          assertEquals(e.revenue.setScale(9, RoundingMode.HALF_EVEN), m.getRevenueUsd(), key);
          BigDecimal tolerance = new BigDecimal("0.000000001").multiply(BigDecimal.valueOf(2L * e.lines + 1));
          assertEquals(true, e.totalCost.subtract(m.getTotalCostUsd()).abs().compareTo(tolerance) <= 0, key);
        });
      }
    }
  }


  /** The 1h margins on the topic (read_committed), once at least {@code count} are there. */
  private static List<TenantMargin> readMargins(KafkaStack kafka, MarginflowSerdes serdes, int count, Duration timeout) {
    List<ConsumerRecord<String, TenantMargin>> seen = new java.util.ArrayList<>();
    Records.await(timeout, count + " hourly margins", () -> {
      seen.clear();
      seen.addAll(Records.readToEnd(kafka.consumerConfig("restart-reader"), Topics.defaults().margins(), Duration.ofSeconds(10),
          new StringDeserializer(), serdes.value(TenantMargin.class).deserializer()));
      return seen.stream().filter(r -> r.value().getWindow().equals("1h")).count() >= count;
    });
    return seen.stream().map(ConsumerRecord::value).filter(m -> m.getWindow().equals("1h")).toList();
  }
}

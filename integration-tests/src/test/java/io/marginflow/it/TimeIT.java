package io.marginflow.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.marginflow.avro.TenantMargin;
import io.marginflow.avro.TokenUsage;
import io.marginflow.ops.replay.JsonLines;
import io.marginflow.ops.replay.ScenarioProducer;
import io.marginflow.ops.scenario.GeneratorOptions;
import io.marginflow.ops.scenario.Scenario;
import io.marginflow.ops.scenario.ScenarioGenerator;
import io.marginflow.serde.ConfluentAvroSerializer;
import io.marginflow.topology.app.MarginflowService;
import io.marginflow.topology.config.MarginflowConfig;
import io.marginflow.topology.config.Topics;
import io.marginflow.topology.ingest.DeadLetterHeaders;
import io.marginflow.topology.ingest.Ticks;
import io.marginflow.topology.metrics.WatermarkLag;
import io.marginflow.topology.serde.MarginflowSerdes;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.InvalidTimestampException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Time faults on live (recent) data. A producer whose clock is a year ahead sends usage and ticks: the events are
 * dead-lettered as FUTURE_TIMESTAMP, its ticks refused by the broker (a year) or ignored by the pipeline (50 minutes
 * ahead), and nobody's window closes. Then one usage partition falls
 * silent while every other partition ticks past the hour: the window stays open, the silent partition is named (a
 * stall counted and logged) and its lag stands out in marginflow_watermark_lag_seconds. When it ticks again, the
 * window closes with the reference's figures.
 */
@WithKafkaStack
@Tag("fault")
class TimeIT {
  private static final int SILENT = 2;

  @Test
  void shouldIgnoreAClockAYearAheadAndNameASilentPartition(KafkaStack kafka, @TempDir Path dir) throws Exception {
    Topics topics = Topics.defaults();
    Pipelines.createTopicsForHistory(kafka);
    Instant start = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(3, ChronoUnit.HOURS);
    Path files = dir.resolve("scenario");
    new ScenarioGenerator(new GeneratorOptions(6, 3, 1, 61, start, 2, null)).write(files);
    Scenario all = Scenario.read(files);
    ConfluentAvroSerializer<SpecificRecord> serializer = new ConfluentAvroSerializer<>();
    serializer.configure(Map.of("schema.registry.url", kafka.registryUrl()), false);
    MarginflowSerdes serdes = new MarginflowSerdes(Map.of("schema.registry.url", kafka.registryUrl()));
    Map<String, ReferenceMargins.Expected> reference = ReferenceMargins.compute(files, System.currentTimeMillis());
    Map<String, String> settings = Pipelines.settings(kafka, "time-it", dir.resolve("state"));
    settings.put(MarginflowConfig.STALL_WARNING, "2s");
    long yearAhead = System.currentTimeMillis() + Duration.ofDays(365).toMillis();
    try (ScenarioProducer producer = new ScenarioProducer(kafka.bootstrapServers(), serializer, topics, 60_000);
        KafkaProducer<byte[], byte[]> raw = new KafkaProducer<>(kafka.producerConfig(), new ByteArraySerializer(),
            new ByteArraySerializer())) {
      producer.reference(all);
      try (MarginflowService service = MarginflowService.start(MarginflowConfig.of(settings))) {
      producer.events(all, System.currentTimeMillis(), -1, System.err);
      KafkaStreams streams = service.app().streams();

      sendFromAClockAhead(raw, serializer, topics, yearAhead);
      try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
        long usageEnd = Pipelines.endOffsets(admin, topics.usage());
        long powerEnd = Pipelines.endOffsets(admin, topics.power());
        Records.await(Duration.ofMinutes(1), "every record, the future ones included, processed and committed",
            () -> Pipelines.committedOffsets(admin, "time-it", topics.usage()) >= usageEnd
                && Pipelines.committedOffsets(admin, "time-it", topics.power()) >= powerEnd);
      }
      long ahead = Records.readToEnd(kafka.consumerConfig("time-dlq"), Topics.dlq(topics.usage()), Duration.ofSeconds(10),
          new ByteArrayDeserializer(), new ByteArrayDeserializer()).stream()
          .filter(r -> "FUTURE_TIMESTAMP".equals(DeadLetterHeaders.get(r.headers(), DeadLetterHeaders.REASON))
              && new String(r.value(), java.nio.charset.StandardCharsets.ISO_8859_1).contains("ahead-"))
          .count();
      assertEquals(3, ahead, "the year-ahead events dead-lettered as FUTURE_TIMESTAMP");
      assertEquals(0, hourly(kafka, serdes).size(), "a clock a year ahead closed windows");

      // Every partition but usage-2 ticks past the hour and its grace; usage-2 stays silent.
      long past = System.currentTimeMillis() - 1_000;
      for (String topic : List.of(topics.usage(), topics.power())) {
        for (int p = 0; p < 6; p++) {
          if (!(topic.equals(topics.usage()) && p == SILENT)) {
            raw.send(Ticks.record(topic, p, past)).get();
          }
        }
      }
      Records.await(Duration.ofMinutes(1), "the silent partition named", () -> counter(streams, "stalled") >= 1);
      WatermarkLag lag = service.app().watermarkLag();
      Records.await(Duration.ofMinutes(1), "the others caught up with the wall clock",
          () -> lag.lagSeconds("usage", (SILENT + 1) % 6) < 600);
      assertTrue(lag.lagSeconds("usage", SILENT) > 3_600, "silent partition lag " + lag.lagSeconds("usage", SILENT));
      String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
          + service.httpPort() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
      assertTrue(metrics.contains("marginflow_watermark_lag_seconds{partition=\"" + SILENT + "\",source=\"usage\"}"),
          "lag gauge in /metrics");
      // Only once the ticks' effects have gone all the way through (inputs, then every internal topic, consumed and
      // committed) does "no margin yet" mean the window is held open, not that the downstream is behind.
      try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
        Pipelines.awaitConsumed(admin, "time-it", List.of(topics.usage(), topics.power()), Duration.ofMinutes(1));
        Pipelines.awaitConsumed(admin, "time-it", List.of("time-it-usage-by-node-repartition", topics.costSlices(),
            topics.pricingFeedback()), Duration.ofMinutes(1));
        Pipelines.awaitConsumed(admin, "time-it", List.of("time-it-pricing-by-region-repartition", topics.costSlices(),
            topics.pricingFeedback()), Duration.ofMinutes(1));
      }
      assertEquals(0, hourly(kafka, serdes).size(), "the silent partition holds the window open");

      raw.send(Ticks.record(topics.usage(), SILENT, past)).get();
      Records.await(Duration.ofMinutes(1), reference.size() + " hourly margins",
          () -> hourly(kafka, serdes).size() >= reference.size());
      }
    }
    ReferenceMargins.assertMatchesWith(ReferenceMargins.multipliers(kafka), files, hourly(kafka, serdes).stream()
        .map(r -> (JsonNode) JsonLines.toJson(r.value())).toList());
  }

  /** A producer whose clock is a year ahead: three usage events, and its ticks. */
  private static void sendFromAClockAhead(KafkaProducer<byte[], byte[]> raw, ConfluentAvroSerializer<SpecificRecord> serializer,
      Topics topics, long yearAhead) throws Exception {
      for (int i = 0; i < 3; i++) {
        TokenUsage u = TokenUsage.newBuilder().setEventId("ahead-" + i).setTimestampMs(Instant.ofEpochMilli(yearAhead))
            .setTenantId("tenant-001").setModel("m").setRegion("r").setNodeId("node-01").setInputTokens(1)
            .setCachedInputTokens(0).setOutputTokens(1).build();
        raw.send(new ProducerRecord<>(topics.usage(), i, null, "tenant-001".getBytes(), serializer.serialize(topics.usage(), u)))
            .get();
      }
      // Its ticks: a year ahead the broker itself refuses them (log.message.timestamp.after.max.ms, 1 h by default);
      // 50 minutes ahead it takes them, and the pipeline must ignore them (ingest.max-future-skew, 5 min).
      ExecutionException refused = assertThrows(ExecutionException.class,
          () -> raw.send(Ticks.record(topics.usage(), 0, yearAhead)).get());
      assertTrue(refused.getCause() instanceof InvalidTimestampException, refused.toString());
      long aheadWithinBroker = System.currentTimeMillis() + Duration.ofMinutes(50).toMillis();
      for (String topic : List.of(topics.usage(), topics.power())) {
        for (int p = 0; p < 6; p++) {
          raw.send(Ticks.record(topic, p, aheadWithinBroker)).get();
        }
      }
  }

  /** A pipeline counter over all tasks of this instance, e.g. "stalled" (the "-total" metric). */
  private static double counter(KafkaStreams streams, String event) {
    return streams.metrics().entrySet().stream().filter(e -> e.getKey().name().equals(event + "-total"))
        .mapToDouble(e -> ((Number) e.getValue().metricValue()).doubleValue()).sum();
  }

  private static List<ConsumerRecord<String, TenantMargin>> hourly(KafkaStack kafka, MarginflowSerdes serdes) {
    return Records.readToEnd(kafka.consumerConfig("time-reader"), Topics.defaults().margins(), Duration.ofSeconds(10),
        new StringDeserializer(), serdes.value(TenantMargin.class).deserializer()).stream()
        .filter(r -> r.value().getWindow().equals("1h")).toList();
  }
}

package io.marginflow.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.marginflow.avro.PowerSample;
import io.marginflow.avro.TenantMargin;
import io.marginflow.avro.TokenUsage;
import io.marginflow.ops.replay.JsonLines;
import io.marginflow.ops.replay.ScenarioProducer;
import io.marginflow.ops.scenario.GeneratorOptions;
import io.marginflow.ops.scenario.Scenario;
import io.marginflow.ops.scenario.ScenarioGenerator;
import io.marginflow.serde.ConfluentAvroSerializer;
import io.marginflow.topology.app.MarginflowService;
import io.marginflow.topology.app.ReferenceRejects;
import io.marginflow.topology.config.MarginflowConfig;
import io.marginflow.topology.config.Topics;
import io.marginflow.topology.ingest.DeadLetterHeaders;
import io.marginflow.topology.serde.MarginflowSerdes;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A seeded fuzz of poison pills mixed into a valid stream on every input topic: random bytes, truncated Avro, an
 * unknown schema id, a wrong magic byte, the other topic's record type, huge strings, null values without the tick
 * header, empty values. Every pill on an event topic is in its dead-letter topic with a reason (found by its source
 * partition and offset); every pill on a reference topic is counted per topic and shown in /metrics; nothing valid is
 * lost (the margins equal the reference); the pipeline never stops. {@code -Dfault.pills=N} (default 300),
 * {@code -Dfault.seed=S}.
 */
@WithKafkaStack
@Tag("fault")
class PoisonPillIT {
  private enum Kind { RANDOM_BYTES, TRUNCATED_AVRO, UNKNOWN_SCHEMA_ID, WRONG_MAGIC, OTHER_RECORD_TYPE, HUGE_STRING,
    NULL_WITHOUT_TICK_HEADER, EMPTY_VALUE }

  @Test
  void shouldDeadLetterEveryPillAndLoseNothingValid(KafkaStack kafka, @TempDir Path dir) throws Exception {
    int pills = Integer.getInteger("fault.pills", 300);
    Random random = new Random(Long.getLong("fault.seed", 5L));
    Topics topics = Topics.defaults();
    Pipelines.createTopicsForHistory(kafka);
    Path files = dir.resolve("scenario");
    new ScenarioGenerator(new GeneratorOptions(6, 3, 2, 41, GeneratorOptions.DEFAULT_START, 2, null)).write(files);
    Scenario all = Scenario.read(files);
    long middle = GeneratorOptions.DEFAULT_START.toEpochMilli() + 3_600_000L + 777_000L;
    ConfluentAvroSerializer<SpecificRecord> serializer = new ConfluentAvroSerializer<>();
    serializer.configure(Map.of("schema.registry.url", kafka.registryUrl()), false);
    MarginflowSerdes serdes = new MarginflowSerdes(Map.of("schema.registry.url", kafka.registryUrl()));
    Map<String, ReferenceMargins.Expected> reference = ReferenceMargins.compute(files, System.currentTimeMillis());

    Map<String, Set<String>> injected = new TreeMap<>();
    Map<String, Integer> referencePills = new TreeMap<>();
    Map<Kind, Integer> kinds = new TreeMap<>();
    Map<String, String> settings = Pipelines.settings(kafka, "poison-it", dir.resolve("state"));
    settings.put(MarginflowConfig.HTTP_TOKENS, "it-admin=admin");
    try (ScenarioProducer producer = new ScenarioProducer(kafka.bootstrapServers(), serializer, topics, 60_000);
        KafkaProducer<byte[], byte[]> raw = new KafkaProducer<>(kafka.producerConfig(), new ByteArraySerializer(),
            new ByteArraySerializer())) {
      // Reference data first, as in any deployment: a request is priced with the price book the app has loaded.
      producer.reference(all);
      try (MarginflowService service = MarginflowService.start(MarginflowConfig.of(settings))) {
      for (String topic : List.of(topics.nodes(), topics.pricebook(), topics.energyPrices(), topics.budgets())) {
        int n = 3 + random.nextInt(3);
        for (int i = 0; i < n; i++) {
          byte[] value = i % 2 == 0 ? randomBytes(random, 1 + random.nextInt(60)) : unknownSchemaId(random);
          raw.send(new ProducerRecord<>(topic, ("bad-" + i).getBytes(), value)).get();
        }
        referencePills.put(topic, n);
      }
      producer.events(Pipelines.slice(all, Long.MIN_VALUE, middle), System.currentTimeMillis(), 0, System.err);
      for (int i = 0; i < pills; i++) {
        boolean usage = random.nextBoolean();
        String topic = usage ? topics.usage() : topics.power();
        Kind kind = Kind.values()[random.nextInt(Kind.values().length)];
        kinds.merge(kind, 1, Integer::sum);
        byte[] value = pill(kind, usage, topic, serializer, random);
        RecordMetadata md = raw.send(new ProducerRecord<>(topic, random.nextInt(6), middle, ("pill-" + i).getBytes(),
            value)).get();
        injected.computeIfAbsent(topic, t -> new TreeSet<>()).add(md.partition() + "@" + md.offset());
      }
      producer.events(Pipelines.slice(all, middle, Long.MAX_VALUE), System.currentTimeMillis(), 25 * 3_600_000L, System.err);

      Records.await(Duration.ofMinutes(3), reference.size() + " hourly margins", () -> readMargins(kafka, serdes).stream()
          .filter(r -> r.value().getWindow().equals("1h")).count() >= reference.size());
      KafkaStreams streams = service.app().streams();
      assertEquals(KafkaStreams.State.RUNNING, streams.state(), "the pipeline never stopped");
      assertEquals(1, streams.metadataForLocalThreads().size(), "one stream thread, never replaced");

      for (String topic : List.of(topics.usage(), topics.power())) {
        Map<String, String> reasons = deadLetters(kafka, Topics.dlq(topic));
        Set<String> missing = new TreeSet<>(injected.getOrDefault(topic, Set.of()));
        missing.removeAll(reasons.keySet());
        assertTrue(missing.isEmpty(), "pills on " + topic + " not dead-lettered: " + missing);
        for (String at : injected.getOrDefault(topic, Set.of())) {
          assertNotNull(reasons.get(at), topic + " " + at + " has a reason");
          assertTrue(!reasons.get(at).isBlank(), topic + " " + at + " has a reason");
        }
      }
      assertReferencePillsCounted(service, referencePills);
      }
    }
    System.err.printf("PoisonPillIT: %d pills %s, reference pills %s%n", pills, kinds, referencePills);

    List<JsonNode> margins = new ArrayList<>();
    for (ConsumerRecord<String, TenantMargin> r : readMargins(kafka, serdes)) {
      margins.add(JsonLines.toJson(r.value()));
    }
    ReferenceMargins.assertMatches(files, margins, ReferenceMargins.multipliers(kafka));
  }

  /** Each reference topic counted exactly its pills, and /metrics shows the counter per topic. */
  private static void assertReferencePillsCounted(MarginflowService service, Map<String, Integer> referencePills)
      throws Exception {
    ReferenceRejects rejects = service.app().referenceRejects();
    referencePills.forEach((topic, n) -> {
      Records.await(Duration.ofSeconds(30), n + " rejects counted on " + topic, () -> rejects.skipped(topic) >= n);
      assertEquals((long) n, rejects.skipped(topic), topic);
    });
    String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + service.httpPort() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString())
        .body();
    for (Map.Entry<String, Integer> e : referencePills.entrySet()) {
      String line = "marginflow_reference_rejected_total{topic=\"" + e.getKey() + "\"} " + e.getValue().doubleValue();
      assertTrue(metrics.contains(line), line + " in /metrics");
    }
  }

  private static byte[] pill(Kind kind, boolean usage, String topic, ConfluentAvroSerializer<SpecificRecord> serializer,
      Random random) {
    TokenUsage u = TokenUsage.newBuilder().setEventId("pill-" + random.nextLong()).setTimestampMs(Instant.ofEpochMilli(
        GeneratorOptions.DEFAULT_START.toEpochMilli() + 3_600_000L)).setTenantId("tenant-001").setModel("m")
        .setRegion("r").setNodeId("node-01").setInputTokens(10).setCachedInputTokens(0).setOutputTokens(5).build();
    PowerSample p = PowerSample.newBuilder().setTimestampMs(u.getTimestampMs()).setNodeId("node-01").setGpuId("0")
        .setIntervalMs(15_000).setAvgPowerWatts(300).build();
    SpecificRecord own = usage ? u : p;
    return switch (kind) {
      case RANDOM_BYTES -> randomBytes(random, 1 + random.nextInt(200));
      case TRUNCATED_AVRO -> {
        byte[] whole = serializer.serialize(topic, own);
        yield Arrays.copyOf(whole, 5 + random.nextInt(whole.length - 6));
      }
      case UNKNOWN_SCHEMA_ID -> unknownSchemaId(random);
      case WRONG_MAGIC -> {
        byte[] whole = serializer.serialize(topic, own);
        whole[0] = (byte) (1 + random.nextInt(255));
        yield whole;
      }
      case OTHER_RECORD_TYPE -> serializer.serialize(usage ? Topics.defaults().power() : Topics.defaults().usage(),
          usage ? p : u);
      case HUGE_STRING -> {
        String huge = "x".repeat(50_000 + random.nextInt(100_000));
        if (usage) {
          u.setTenantId(huge);
        } else {
          p.setGpuId(huge);
        }
        yield serializer.serialize(topic, own);
      }
      case NULL_WITHOUT_TICK_HEADER -> null;
      case EMPTY_VALUE -> new byte[0];
    };
  }

  private static byte[] randomBytes(Random random, int n) {
    byte[] b = new byte[n];
    random.nextBytes(b);
    return b;
  }

  private static byte[] unknownSchemaId(Random random) {
    return ByteBuffer.allocate(5 + 8).put((byte) 0).putInt(900_000 + random.nextInt(100_000)).putLong(random.nextLong())
        .array();
  }

  /** Source "partition@offset" to reason, from the dead letters' headers. */
  private static Map<String, String> deadLetters(KafkaStack kafka, String dlq) {
    Map<String, String> out = new HashMap<>();
    for (ConsumerRecord<byte[], byte[]> r : Records.readToEnd(kafka.consumerConfig("poison-dlq"), dlq, Duration.ofSeconds(10),
        new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      out.put(DeadLetterHeaders.get(r.headers(), DeadLetterHeaders.PARTITION) + "@"
          + DeadLetterHeaders.get(r.headers(), DeadLetterHeaders.OFFSET), DeadLetterHeaders.get(r.headers(),
          DeadLetterHeaders.REASON));
    }
    return out;
  }


  private static List<ConsumerRecord<String, TenantMargin>> readMargins(KafkaStack kafka, MarginflowSerdes serdes) {
    return Records.readToEnd(kafka.consumerConfig("poison-reader"), Topics.defaults().margins(), Duration.ofSeconds(10),
        new StringDeserializer(), serdes.value(TenantMargin.class).deserializer());
  }
}

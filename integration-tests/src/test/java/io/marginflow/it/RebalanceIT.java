package io.marginflow.it;


import com.fasterxml.jackson.databind.JsonNode;
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
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two instances share the work on a backfill of history (event times months old, as {@code produce} writes them);
 * one leaves mid-stream (a planned stop) and the other takes every task over; later it rejoins and the work is
 * shared again. Every window is emitted exactly once and equals the reference. Without
 * standbys here; {@link StandbyRebalanceIT} runs the same with {@code num.standby.replicas=1}, where the survivor
 * already holds the state of the tasks it takes over.
 */
@WithKafkaStack
@Tag("fault")
class RebalanceIT {

  @Test
  void shouldEmitEachWindowOnceWhileAnInstanceLeavesAndRejoins(KafkaStack kafka, @TempDir Path dir) throws Exception {
    run(0, kafka, dir);
  }

  /** The scenario with {@code standbys} standby replicas, on a broker of its own (one per test class). */
  static void run(int standbys, KafkaStack kafka, Path dir) throws Exception {
    String app = "rebalance-it-" + standbys;
    Topics topics = Topics.defaults();
    Pipelines.createTopicsForHistory(kafka);
    Path files = dir.resolve("scenario");
    new ScenarioGenerator(new GeneratorOptions(10, 4, 2, 23 + standbys, GeneratorOptions.DEFAULT_START, 2, null))
        .write(files);
    Scenario all = Scenario.read(files);
    long start = GeneratorOptions.DEFAULT_START.toEpochMilli();
    // Two hours in three parts (before the leave, while one instance runs alone, after the rejoin): each hourly window
    // straddles a change of owner.
    long part = 40 * 60_000L;
    ConfluentAvroSerializer<SpecificRecord> serializer = new ConfluentAvroSerializer<>();
    serializer.configure(Map.of("schema.registry.url", kafka.registryUrl()), false);
    MarginflowSerdes serdes = new MarginflowSerdes(Map.of("schema.registry.url", kafka.registryUrl()));
    Map<String, ReferenceMargins.Expected> reference = ReferenceMargins.compute(files, System.currentTimeMillis());
    String margins = topics.margins();
    Map<String, String> a = Pipelines.settings(kafka, app, dir.resolve("state-a"));
    Map<String, String> b = Pipelines.settings(kafka, app, dir.resolve("state-b"));
    for (Map<String, String> s : List.of(a, b)) {
      s.put(MarginflowConfig.NUM_STANDBY_REPLICAS, Integer.toString(standbys));
      // Keep the repartition topics' records: printLosses sums requests at each stage from them.
      s.put("kafka.repartition.purge.interval.ms", "86400000");
    }
    double takeOver;
    try (ScenarioProducer producer = new ScenarioProducer(kafka.bootstrapServers(), serializer, topics, 60_000);
        Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
      producer.reference(all);
      MarginflowService first = MarginflowService.start(MarginflowConfig.of(a));
      MarginflowService second = MarginflowService.start(MarginflowConfig.of(b));
      awaitRunning(first, second);
      int tasks = activeTasks(first) + activeTasks(second);
      producer.events(Pipelines.slice(all, Long.MIN_VALUE, start + part), System.currentTimeMillis(), 0, System.err);
      long produced = Pipelines.endOffsets(admin, topics.usage());
      Records.await(Duration.ofMinutes(2), "half of the first part processed",
          () -> Pipelines.committedOffsets(admin, app, topics.usage()) >= produced / 2);

      long left = System.nanoTime();
      second.close();
      Records.await(Duration.ofMinutes(2), "the remaining instance runs all " + tasks + " tasks",
          () -> first.app().streams().state() == KafkaStreams.State.RUNNING && activeTasks(first) == tasks);
      takeOver = (System.nanoTime() - left) / 1e9;
      producer.events(Pipelines.slice(all, start + part, start + 2 * part), System.currentTimeMillis(), 0,
          System.err);

      try (MarginflowService again = MarginflowService.start(MarginflowConfig.of(b))) {
        awaitRunning(first, again);
        Records.await(Duration.ofMinutes(2), "the rejoined instance has tasks again", () -> activeTasks(again) > 0);
        producer.events(Pipelines.slice(all, start + 2 * part, Long.MAX_VALUE), System.currentTimeMillis(),
            25 * 3_600_000L, System.err);
        Records.await(Duration.ofMinutes(3), reference.size() + " hourly margins", () -> read(kafka, serdes, margins)
            .stream().filter(r -> r.value().getWindow().equals("1h")).count() >= reference.size());
      }
      first.close();
      Pipelines.assertWindowChangelogsUseAppendTime(admin, app);
    }
    System.err.printf("RebalanceIT standbys=%d: take-over after a planned leave %.1f s%n", standbys, takeOver);
    List<JsonNode> out = ReferenceMargins.eachWindowOnce(read(kafka, serdes, margins));
    printLosses(standbys, kafka, reference, out);
    printStages(app, kafka, serdes, start);
    ReferenceMargins.assertMatches(files, out, ReferenceMargins.multipliers(kafka));
    ReferenceMargins.assertRollingDaysAddUpTheirHours(out);
  }

  /** Says which windows lost requests, and how many usage records went to .late, before the exact comparison. */
  private static void printLosses(int standbys, KafkaStack kafka, Map<String, ReferenceMargins.Expected> reference,
      List<JsonNode> out) {
    Topics topics = Topics.defaults();
    long expectedRequests = reference.values().stream().mapToLong(e -> e.requests).sum();
    long actualRequests = out.stream().filter(m -> m.get("window").asText().equals("1h"))
        .mapToLong(m -> m.get("requests").asLong()).sum();
    int late = Records.readToEnd(kafka.consumerConfig("rebalance-late"), Topics.late(topics.usage()), Duration.ofSeconds(10),
        new org.apache.kafka.common.serialization.ByteArrayDeserializer(),
        new org.apache.kafka.common.serialization.ByteArrayDeserializer()).size();
    System.err.printf("RebalanceIT standbys=%d: requests %d of %d, %d late%n", standbys, actualRequests, expectedRequests,
        late);
    out.stream().filter(m -> m.get("window").asText().equals("1h")).forEach(m -> {
      ReferenceMargins.Expected e = reference.get(m.get("tenant_id").asText() + "|" + m.get("window_start_ms").asLong());
      if (e != null && e.requests != m.get("requests").asLong()) {
        System.err.printf("  %s %d: %d of %d%n", m.get("tenant_id").asText(), m.get("window_start_ms").asLong(),
            m.get("requests").asLong(), e.requests);
      }
    });
  }

  /** Requests of the first hour per usage partition as the loads it sent its node tasks (two-level split, SPEC 3). */
  private static void printStages(String app, KafkaStack kafka, MarginflowSerdes serdes, long hour) {
    Map<Integer, Long> loads = new TreeMap<>();
    for (ConsumerRecord<String, io.marginflow.avro.internal.AttributionInput> r : Records.readToEnd(kafka.consumerConfig("st-1"),
        app + "-usage-by-node-repartition", Duration.ofSeconds(10), new StringDeserializer(),
        serdes.value(io.marginflow.avro.internal.AttributionInput.class).deserializer())) {
      var l = r.value() == null ? null : r.value().getLoad();
      if (l != null && l.getBucketStartMs().toEpochMilli() < hour + 3_600_000L) {
        loads.merge(l.getSourcePartition(), l.getRequests(), Long::sum);
      }
    }
    System.err.printf("RebalanceIT stages, first hour: requests by usage partition %s%n", loads);
  }

  private static void awaitRunning(MarginflowService... services) {
    Records.await(Duration.ofMinutes(2), "every instance RUNNING", () -> java.util.Arrays.stream(services)
        .allMatch(s -> s.app().streams().state() == KafkaStreams.State.RUNNING));
  }

  private static int activeTasks(MarginflowService s) {
    return s.app().streams().metadataForLocalThreads().stream().mapToInt(t -> t.activeTasks().size()).sum();
  }

  private static List<ConsumerRecord<String, TenantMargin>> read(KafkaStack kafka, MarginflowSerdes serdes, String topic) {
    return Records.readToEnd(kafka.consumerConfig("rebalance-reader"), topic, Duration.ofSeconds(10),
        new StringDeserializer(), serdes.value(TenantMargin.class).deserializer());
  }
}

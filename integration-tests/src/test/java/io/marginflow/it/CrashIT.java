package io.marginflow.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.marginflow.avro.BudgetAlert;
import io.marginflow.avro.TenantMargin;
import io.marginflow.ops.replay.JsonLines;
import io.marginflow.ops.replay.ScenarioProducer;
import io.marginflow.ops.scenario.GeneratorOptions;
import io.marginflow.ops.scenario.Scenario;
import io.marginflow.ops.scenario.ScenarioGenerator;
import io.marginflow.serde.ConfluentAvroSerializer;
import io.marginflow.topology.config.MarginflowConfig;
import io.marginflow.topology.config.Topics;
import io.marginflow.topology.serde.MarginflowSerdes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crash recovery: {@code marginflow run} as a child JVM, fed slice by slice, SIGKILLed at seeded random points while it
 * processes (mid-transaction, stores dirty) or, every second kill, once its slice is committed (between two commits),
 * and started again on the same state folder each time. After each restart the last minutes of the slice before are
 * sent again: those repeated event ids must be dropped as duplicates (not counted, not set aside as late), which the
 * de-duplication knows only from what it committed before the kill. Every 1h and 24h
 * margin window is on the topic exactly once and equals the independent reference; every restart is ready (Kafka
 * Streams RUNNING) within 30 s. {@code -Dfault.kills=N} (default 3) and {@code -Dfault.seed=S} (default 7) scale it:
 * the long run is {@code ./mvnw -pl integration-tests verify -Dit.test=CrashIT -Dfault.kills=10} (docs/RELIABILITY.md).
 */
@WithKafkaStack
@Tag("fault")
class CrashIT {
  private static final double READY_WITHIN_S = 30;

  @Test
  void shouldEmitEveryWindowOnceAndExactlyAcrossSigkills(KafkaStack kafka, @TempDir Path dir) throws Exception {
    int kills = Integer.getInteger("fault.kills", 3);
    Random random = new Random(Long.getLong("fault.seed", 7L));
    Topics topics = Topics.defaults();
    Pipelines.createTopicsForHistory(kafka);
    Path files = dir.resolve("scenario");
    new ScenarioGenerator(new GeneratorOptions(12, 6, 3, 31, GeneratorOptions.DEFAULT_START, 4, null)).write(files);
    ReferenceAlerts.writeCrossingBudgets(files);
    Scenario all = Scenario.read(files);
    List<Scenario> slices = slices(all, GeneratorOptions.DEFAULT_START.toEpochMilli(),
        GeneratorOptions.DEFAULT_START.toEpochMilli() + 3 * 3_600_000L, kills + 1);
    Map<String, String> settings = Pipelines.settings(kafka, "crash-it", dir.resolve("state"));
    settings.remove(MarginflowConfig.HTTP_PORT);
    ConfluentAvroSerializer<SpecificRecord> serializer = new ConfluentAvroSerializer<>();
    serializer.configure(Map.of("schema.registry.url", kafka.registryUrl()), false);
    MarginflowSerdes serdes = new MarginflowSerdes(Map.of("schema.registry.url", kafka.registryUrl()));
    Map<String, ReferenceMargins.Expected> reference = ReferenceMargins.compute(files, System.currentTimeMillis());

    List<Double> readySeconds = new ArrayList<>();
    List<Long> killedAtOffsets = new ArrayList<>();
    Set<String> repeated = new java.util.HashSet<>();
    long produced = 0;
    try (ScenarioProducer producer = new ScenarioProducer(kafka.bootstrapServers(), serializer, topics, 60_000);
        Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
      producer.reference(all);
      for (int i = 0; i <= kills; i++) {
        Path log = dir.resolve("run-" + i + ".log");
        try (ChildInstance child = ChildInstance.start(settings, dir, log)) {
          readySeconds.add(child.awaitReady(Duration.ofSeconds(90)));
          boolean last = i == kills;
          long before = Pipelines.endOffsets(admin, topics.usage());
          if (i > 0) {
            repeated.addAll(repeatTail(producer, slices.get(i - 1), sliceEnd(i - 1, kills + 1)));
          }
          producer.events(slices.get(i), System.currentTimeMillis(), last ? 25 * 3_600_000L : 0, System.err);
          producer.checkSent();
          produced = Pipelines.endOffsets(admin, topics.usage());
          if (last) {
            awaitWindows(kafka, serdes, reference.size(), Duration.ofMinutes(3));
            int status = child.stop();
            assertTrue(status == 0 || status == 143, "exit status after SIGTERM: " + status);
            assertTrue(!Files.exists(dir.resolve("state").resolve(".crash-it.running")), "a SIGTERM is a clean stop");
          } else {
            // Kill while the slice is being processed: once the committed usage offsets pass a random point of it;
            // every second kill once all of it is committed.
            long target = i % 2 == 1 ? produced
                : before + 1 + (long) ((produced - before - 1) * (0.15 + 0.7 * random.nextDouble()));
            assertTrue(target > before && target <= produced, "a kill point in the slice: " + before + " " + target + " " + produced);
            Records.await(Duration.ofMinutes(2), "committed usage offsets past " + target,
                () -> Pipelines.committedOffsets(admin, "crash-it", topics.usage()) >= target);
            killedAtOffsets.add(Pipelines.committedOffsets(admin, "crash-it", topics.usage()));
            child.kill();
          }
        }
      }
    }
    System.err.printf("CrashIT: %d SIGKILLs at committed usage offsets %s of %d; ready after start: %s s%n", kills,
        killedAtOffsets, produced, readySeconds);
    for (int i = 1; i < readySeconds.size(); i++) {
      assertTrue(readySeconds.get(i) < READY_WITHIN_S, "restart " + i + " ready after " + readySeconds.get(i) + " s");
    }
    assertUnclean(dir, kills);

    List<JsonNode> margins = ReferenceMargins.eachWindowOnce(readMargins(kafka, serdes));
    ReferenceMargins.assertMatches(files, margins, ReferenceMargins.multipliers(kafka));
    ReferenceMargins.assertRollingDaysAddUpTheirHours(margins);
    assertAlertsOnceAndExact(kafka, serdes, files);
    assertRepeatsDroppedAsDuplicates(kafka, topics, repeated, kills);
  }

  /** {@code n} slices of the scenario's three hours: where slice {@code i} ends. */
  private static long sliceEnd(int i, int n) {
    long from = GeneratorOptions.DEFAULT_START.toEpochMilli();
    return from + 3 * 3_600_000L * (i + 1) / n;
  }

  /** Sends again the usage events of {@code slice} in the last three minutes before {@code end} (within grace). */
  private static Set<String> repeatTail(ScenarioProducer producer, Scenario slice, long end) {
    Set<String> ids = new java.util.HashSet<>();
    for (Scenario.Row<io.marginflow.avro.TokenUsage> row : slice.usage()) {
      long ts = row.ok() ? row.record().getTimestampMs().toEpochMilli() : Long.MIN_VALUE;
      if (ts >= end - 180_000 && ts < end) {
        producer.usage(row.record());
        ids.add(row.record().getEventId());
      }
    }
    producer.checkSent();
    assertTrue(ids.size() >= 20, "enough repeated events: " + ids.size());
    return ids;
  }

  /**
   * The repeated events were neither counted (the margins above equal the reference, which counts each once) nor
   * set aside as late or dead-lettered: they were dropped as duplicates.
   */
  private static void assertRepeatsDroppedAsDuplicates(KafkaStack kafka, Topics topics, Set<String> repeated, int kills) {
    assertTrue(repeated.size() >= 20 * kills, "repeated after every restart: " + repeated.size());
    for (String topic : List.of(Topics.late(topics.usage()), Topics.dlq(topics.usage()))) {
      List<String> setAside = Records.readToEnd(kafka.consumerConfig("crash-" + topic), topic, Duration.ofSeconds(5),
          new StringDeserializer(), new org.apache.kafka.common.serialization.ByteArrayDeserializer()).stream()
          .map(r -> new String(r.value(), java.nio.charset.StandardCharsets.ISO_8859_1))
          .filter(v -> repeated.stream().anyMatch(v::contains)).toList();
      assertEquals(0, setAside.size(), "repeated events on " + topic);
    }
  }

  /** Every budget alert of the reference is on the topic, once: no SIGKILL doubled or lost one. */
  private static void assertAlertsOnceAndExact(KafkaStack kafka, MarginflowSerdes serdes, Path files) throws Exception {
    List<JsonNode> alerts = Records.readToEnd(kafka.consumerConfig("crash-alerts"), Topics.defaults().alertsBudget(),
        Duration.ofSeconds(10), new StringDeserializer(), serdes.value(BudgetAlert.class).deserializer()).stream()
        .map(r -> (JsonNode) JsonLines.toJson(r.value())).toList();
    assertEquals(alerts.size(), alerts.stream().map(a -> a.get("alert_id").asText()).distinct().count(),
        "an alert twice: " + alerts);
    Set<String> spend = ReferenceAlerts.spend(files);
    assertEquals(String.join("\n", spend), String.join("\n", ReferenceAlerts.actual(alerts)));
    assertEquals(ReferenceAlerts.cost(files).keySet(), ReferenceAlerts.actualCost(alerts).keySet());
    assertTrue(spend.size() >= 5, "the scenario must raise SPEND alerts across the kills: " + spend);
  }

  /** Every restart after a SIGKILL said that it wiped the dirty state (the cause in docs/RELIABILITY.md). */
  private static void assertUnclean(Path dir, int kills) throws Exception {
    for (int i = 1; i <= kills; i++) {
      String log = Files.readString(dir.resolve("run-" + i + ".log"));
      assertTrue(log.contains("did not stop cleanly"), "restart " + i + " detected the crash");
      assertTrue(!log.contains("lock hold by current process"), "restart " + i + " has no leaked RocksDB lock");
    }
  }

  /**
   * {@code n} consecutive time slices of [from, to), each with its usage and power rows in file order; rows outside
   * (the scenario's implausible timestamps) go with the first or last slice.
   */
  private static List<Scenario> slices(Scenario s, long from, long to, int n) {
    List<Scenario> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      long a = i == 0 ? Long.MIN_VALUE : from + (to - from) * i / n;
      long b = i == n - 1 ? Long.MAX_VALUE : from + (to - from) * (i + 1) / n;
      out.add(Pipelines.slice(s, a, b));
    }
    return out;
  }



  private static void awaitWindows(KafkaStack kafka, MarginflowSerdes serdes, int hourly, Duration timeout) {
    Records.await(timeout, hourly + " hourly margins", () -> readMargins(kafka, serdes).stream()
        .filter(r -> r.value().getWindow().equals("1h")).count() >= hourly);
  }

  private static List<ConsumerRecord<String, TenantMargin>> readMargins(KafkaStack kafka, MarginflowSerdes serdes) {
    return Records.readToEnd(kafka.consumerConfig("crash-reader"), Topics.defaults().margins(), Duration.ofSeconds(10),
        new StringDeserializer(), serdes.value(TenantMargin.class).deserializer());
  }
}

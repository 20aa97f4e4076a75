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
 * processes (mid-transaction, stores dirty) and started again on the same state folder each time. Every 1h and 24h
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
          producer.events(slices.get(i), System.currentTimeMillis(), last ? 25 * 3_600_000L : 0, System.err);
          producer.checkSent();
          produced = Pipelines.endOffsets(admin, topics.usage());
          if (last) {
            awaitWindows(kafka, serdes, reference.size(), Duration.ofMinutes(3));
            int status = child.stop();
            assertTrue(status == 0 || status == 143, "exit status after SIGTERM: " + status);
            assertTrue(!Files.exists(dir.resolve("state").resolve(".crash-it.running")), "a SIGTERM is a clean stop");
          } else {
            // Kill while the slice is being processed: once the committed usage offsets pass a random point of it.
            long target = before + 1 + (long) ((produced - before - 1) * (0.15 + 0.7 * random.nextDouble()));
            assertTrue(target > before && target < produced, "a kill point inside the slice: " + before + " " + target + " " + produced);
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

package io.marginflow.it;

import io.marginflow.schemas.AvroJson;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.marginflow.avro.TenantMargin;
import io.marginflow.ops.FileTrees;
import io.marginflow.ops.cli.MarginflowCli;
import io.marginflow.ops.embedded.EmbeddedStack;
import io.marginflow.ops.scenario.GeneratorOptions;
import io.marginflow.ops.scenario.Scenario;
import io.marginflow.ops.scenario.ScenarioGenerator;
import io.marginflow.topology.app.MarginflowService;
import io.marginflow.topology.config.MarginflowConfig;
import io.marginflow.topology.config.Topics;
import io.marginflow.topology.serde.MarginflowSerdes;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A user's backfill on a real cluster: {@code marginflow produce} loads a scenario dated two years ago into a running
 * broker (topics as {@code topics apply} declares them), a running instance computes it, and every margin matches the
 * independent reference. The broker checks retention every second: the margins (and the late and dead-lettered rows)
 * must outlive those checks although the windows they describe are two years old (SPEC 5).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ProduceBackfillIT {
  private static final String ADMIN = "backfill-admin";
  private static final long DAY = 86_400_000L;
  private Path dir;
  private EmbeddedStack stack;
  private KafkaStack kafka;
  private MarginflowService service;
  private Path scenario;
  private String produceOutput;
  private long expectedDaily;
  private int expectedHourly;

  @BeforeAll
  void backfillTwoYearsAgo() throws Exception {
    dir = ScratchDirs.newDirectory("marginflow-backfill-it-");
    stack = EmbeddedStack.start(dir.resolve("stack"), 0, 0, Map.of("log.retention.check.interval.ms", "1000",
        "log.initial.task.delay.ms", "0"));
    kafka = new KafkaStack(stack.bootstrapServers(), stack.registryUrl(), "embedded");
    Pipelines.createTopicsForHistory(kafka);
    Instant start = Instant.now().minus(730, ChronoUnit.DAYS).truncatedTo(ChronoUnit.HOURS);
    scenario = dir.resolve("scenario");
    new ScenarioGenerator(new GeneratorOptions(6, 3, 2, 21, start, 2, null)).write(scenario);
    long lateTs = start.toEpochMilli() + 90 * 60_000L + 777;
    Files.writeString(scenario.resolve("usage.csv"), "late-1," + lateTs + ",tenant-001,llama-3.1-8b-instruct,eu-west,node-01,50,0,5\n",
        StandardOpenOption.APPEND);
    countExpected();

    Map<String, String> s = Pipelines.settings(kafka, "backfill-it", dir.resolve("state"));
    s.put(MarginflowConfig.HTTP_TOKENS, ADMIN + "=admin");
    service = MarginflowService.start(MarginflowConfig.of(s));
    StringWriter out = new StringWriter();
    int exit = MarginflowCli.commandLine().setOut(new PrintWriter(out)).execute("produce", "--scenario", scenario.toString(),
        "--bootstrap-server", kafka.bootstrapServers(), "--schema-registry", kafka.registryUrl());
    produceOutput = out.toString();
    assertEquals(0, exit, produceOutput);
    Records.await(Duration.ofMinutes(3), expectedHourly + " hourly and " + expectedDaily + " daily margins",
        () -> margins().size() == expectedHourly + expectedDaily);
  }

  /** How many 1h and 24h records the reference says the pipeline must emit. */
  private void countExpected() throws Exception {
    Set<String> hours = ReferenceMargins.compute(scenario, System.currentTimeMillis()).keySet();
    Set<String> days = new HashSet<>();
    for (String key : hours) {
      String tenant = key.substring(0, key.indexOf('|'));
      long hour = Long.parseLong(key.substring(key.indexOf('|') + 1));
      for (long d = hour - 23 * 3_600_000L; d <= hour; d += 3_600_000L) {
        days.add(tenant + "|" + d);
      }
    }
    expectedHourly = hours.size();
    expectedDaily = days.size();
  }

  @AfterAll
  void stop() throws Exception {
    if (service != null) {
      service.close();
    }
    if (stack != null) {
      stack.close();
    }
    FileTrees.deleteRecursively(dir);
  }

  private List<JsonNode> margins() {
    MarginflowSerdes serdes = new MarginflowSerdes(Map.of("schema.registry.url", kafka.registryUrl()));
    return Records.readToEnd(kafka.consumerConfig("backfill-reader"), Topics.defaults().margins(), Duration.ofSeconds(20),
        new StringDeserializer(), serdes.value(TenantMargin.class).deserializer()).stream()
        .map(r -> (JsonNode) AvroJson.toJson(r.value())).toList();
  }

  private int count(String topic) {
    return Records.readToEnd(kafka.consumerConfig("backfill-counter"), topic, Duration.ofSeconds(20),
        new ByteArrayDeserializer(), new ByteArrayDeserializer()).size();
  }

  @Test
  void shouldProduceEveryRowAndComputeTheScenarioExactly() throws Exception {
    Scenario s = Scenario.read(scenario);
    long usageRows = s.usage().stream().filter(Scenario.Row::ok).count();
    assertTrue(produceOutput.matches("(?s).*usage\\.tokens\\.v1\\s+" + String.format("%,d", usageRows) + " records.*"),
        produceOutput);
    assertTrue(produceOutput.contains("reference.nodes.v1") && produceOutput.contains("closing ticks"), produceOutput);
    ReferenceMargins.assertMatches(scenario, margins(), ReferenceMargins.multipliers(kafka));
  }

  @Test
  void shouldKeepEveryMarginLateAndDeadRecordPastTheRetentionCheck() throws Exception {
    int dead = count(Topics.dlq(Topics.defaults().usage()));
    assertTrue(dead > 0, "the generator's bad rows were dead-lettered");
    assertEquals(1, count(Topics.late(Topics.defaults().usage())));
    awaitRetentionCheckDeletingOldCreateTimeRecords();
    List<JsonNode> after = margins();
    assertEquals(expectedHourly + expectedDaily, after.size(), "no margin record was deleted");
    ReferenceMargins.assertMatches(scenario, after, ReferenceMargins.multipliers(kafka));
    assertEquals(dead, count(Topics.dlq(Topics.defaults().usage())));
    assertEquals(1, count(Topics.late(Topics.defaults().usage())));
  }

  /**
   * A canary topic configured like the margins topic but keeping the producer's timestamps (CreateTime): a record
   * stamped two years ago goes at the next retention check. Once it is gone, a check has run after every margin was
   * written; without the margins' own protection they would be gone too.
   */
  private void awaitRetentionCheckDeletingOldCreateTimeRecords() throws Exception {
    String canary = "retention-canary";
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()));
        KafkaProducer<String, String> producer = new KafkaProducer<>(kafka.producerConfig(), new StringSerializer(),
            new StringSerializer())) {
      admin.createTopics(List.of(new NewTopic(canary, 1, (short) 1).configs(Map.of("retention.ms", "7776000000",
          "message.timestamp.type", "CreateTime")))).all().get();
      producer.send(new ProducerRecord<>(canary, 0, System.currentTimeMillis() - 730 * DAY, "k", "two years old")).get();
      TopicPartition tp = new TopicPartition(canary, 0);
      Records.await(Duration.ofSeconds(90), "the retention check deleting the canary", () -> {
        try {
          return admin.listOffsets(Map.of(tp, OffsetSpec.earliest())).all().get().get(tp).offset() > 0;
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });
    }
  }

  @Test
  void shouldCountLateRecordsBySourceInMetrics() {
    HttpClient http = HttpClient.newHttpClient();
    List<String> seen = new java.util.ArrayList<>();
    Records.await(Duration.ofSeconds(30), "/metrics counting the late usage record", () -> {
      try {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + service.httpPort()
            + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
        seen.clear();
        r.body().lines().filter(l -> !l.startsWith("#") && l.contains("_late_total")).forEach(seen::add);
        return seen.stream().anyMatch(l -> l.contains("marginflow_id=\"usage\"") && l.endsWith(" 1.0"))
            && seen.stream().anyMatch(l -> l.contains("marginflow_id=\"power\"") && l.endsWith(" 0.0"));
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
  }
}

package io.marginflow.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.marginflow.ops.replay.ScenarioProducer;
import io.marginflow.ops.scenario.GeneratorOptions;
import io.marginflow.ops.scenario.Scenario;
import io.marginflow.ops.scenario.ScenarioGenerator;
import io.marginflow.serde.ConfluentAvroSerializer;
import io.marginflow.topology.app.MarginflowService;
import io.marginflow.topology.config.MarginflowConfig;
import io.marginflow.topology.config.Topics;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A running instance's /metrics against what operations reads from it: the pipeline's counters exist at zero before
 * the first record, count what the topology did (records in = records produced; dead letters = the dead-letter topic),
 * and every metric the Grafana dashboard and the Prometheus rules (ops/monitoring) reference is exported, with a series.
 */
@WithKafkaStack
class MetricsIT {
  private static final Path MONITORING = Path.of("../ops/monitoring");
  private static final Pattern METRIC = Pattern.compile("\\b((?:marginflow|kafka)_[a-z0-9_]+)");
  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void shouldExportEveryMetricTheDashboardAndRulesUse(KafkaStack kafka, @TempDir Path dir) throws Exception {
    Pipelines.createTopicsForHistory(kafka);
    Topics topics = Topics.defaults();
    new ScenarioGenerator(new GeneratorOptions(8, 4, 1, 9, GeneratorOptions.DEFAULT_START, 2, null)).write(dir.resolve("s"));
    Scenario scenario = Scenario.read(dir.resolve("s"));
    Map<String, String> s = Pipelines.settings(kafka, "metrics-it", dir.resolve("state"));
    s.put(MarginflowConfig.HTTP_TOKENS, "metrics-admin=admin");
    try (MarginflowService service = MarginflowService.start(MarginflowConfig.of(s))) {
      String base = "http://localhost:" + service.httpPort();
      Records.await(Duration.ofMinutes(1), "running", () -> service.app().streams().state().name().equals("RUNNING"));
      String before = get(base + "/metrics");
      assertTrue(before.contains("marginflow_dead_letters_total{reason=\"FUTURE_TIMESTAMP\",source=\"usage\"} 0.0")
          && before.contains("marginflow_alerts_total{kind=\"ZOMBIE_NODE\"} 0.0")
          && before.contains("marginflow_ready 1.0"), "every counter at zero before the first record");

      ConfluentAvroSerializer<SpecificRecord> serializer = new ConfluentAvroSerializer<>();
      serializer.configure(Map.of("schema.registry.url", kafka.registryUrl()), false);
      long usageSent;
      try (ScenarioProducer producer = new ScenarioProducer(kafka.bootstrapServers(), serializer, topics, 60_000)) {
        producer.reference(scenario);
        producer.events(scenario, System.currentTimeMillis(), 25 * 3_600_000L, System.err);
        usageSent = producer.sentPerTopic().get(topics.usage());
      }
      long target = GeneratorOptions.DEFAULT_START.toEpochMilli() + 25 * 3_600_000L;
      Records.await(Duration.ofMinutes(3), "final through the closing ticks", () -> json(get(base + "/v1/status",
          "metrics-admin")).path("as_of_ms").asLong(-1) >= target);

      String after = get(base + "/metrics");
      assertEquals(usageSent, (long) sum(after, "marginflow_records_in_total{source=\"usage\",topic=\"usage.tokens.v1\"}"),
          "records in = produced");
      long dlq = Records.readToEnd(kafka.consumerConfig("metrics-dlq"), Topics.dlq(topics.usage()), Duration.ofSeconds(5),
          new ByteArrayDeserializer(), new ByteArrayDeserializer()).size();
      assertTrue(dlq > 0, "the generated scenario has bad rows");
      assertEquals(dlq, (long) sum(after, "marginflow_dead_letters_total{", "source=\"usage\""), "dead letters = the DLQ");

      Set<String> referenced = referencedMetrics();
      assertTrue(referenced.size() >= 15, "the dashboard and rules use the pipeline's and Kafka Streams' metrics: "
          + referenced);
      List<String> missing = new ArrayList<>();
      for (String name : referenced) {
        if (!Pattern.compile("(?m)^" + name + "[{ ]").matcher(after).find()) {
          missing.add(name);
        }
      }
      assertEquals(List.of(), missing, "referenced by ops/monitoring but not exported (with a series)");
    }
  }

  /** Metric names in every PromQL expression of the dashboard and the rules. */
  private static Set<String> referencedMetrics() throws Exception {
    Set<String> exprs = new TreeSet<>();
    JsonNode dashboard = new ObjectMapper().readTree(MONITORING.resolve("grafana-dashboard.json").toFile());
    dashboard.findValues("expr").forEach(e -> exprs.add(e.asText()));
    JsonNode rules = new ObjectMapper(new YAMLFactory()).readTree(MONITORING.resolve("prometheus-rules.yaml").toFile());
    rules.findValues("expr").forEach(e -> exprs.add(e.asText()));
    assertTrue(Files.isRegularFile(MONITORING.resolve("grafana-dashboard.json")));
    Set<String> names = new TreeSet<>();
    for (String e : exprs) {
      Matcher m = METRIC.matcher(e);
      while (m.find()) {
        names.add(m.group(1));
      }
    }
    return names;
  }

  /** The sum of the series of {@code prefix} whose labels contain every one of {@code labels}. */
  private static double sum(String scrape, String prefix, String... labels) {
    double total = 0;
    for (String line : scrape.lines().toList()) {
      if (line.startsWith(prefix) && java.util.Arrays.stream(labels).allMatch(line::contains)) {
        total += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return total;
  }

  private static JsonNode json(String body) {
    try {
      return new ObjectMapper().readTree(body);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private String get(String url) {
    return get(url, null);
  }

  private String get(String url, String token) {
    try {
      HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url));
      if (token != null) {
        b.header("Authorization", "Bearer " + token);
      }
      return http.send(b.build(), HttpResponse.BodyHandlers.ofString()).body();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}

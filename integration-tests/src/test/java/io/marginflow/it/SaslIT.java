package io.marginflow.it;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.marginflow.avro.TenantMargin;
import io.marginflow.ops.embedded.EmbeddedKafkaBroker;
import io.marginflow.ops.replay.JsonLines;
import io.marginflow.ops.replay.ScenarioProducer;
import io.marginflow.ops.scenario.GeneratorOptions;
import io.marginflow.ops.scenario.Scenario;
import io.marginflow.ops.scenario.ScenarioGenerator;
import io.marginflow.registry.server.EmbeddedSchemaRegistry;
import io.marginflow.registry.store.SchemaStore;
import io.marginflow.serde.ConfluentAvroSerializer;
import io.marginflow.topology.config.Topics;
import io.marginflow.topology.serde.MarginflowSerdes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code marginflow run} (a child JVM) against a broker listener that requires SASL (PLAIN, then SCRAM-SHA-512 with a
 * user created through the Admin API) on loopback, configured only
 * through {@code kafka.*} settings: its log never shows the password; with SCRAM (the mechanism production uses) it
 * computes exact margins, and with a wrong password it stops at start-up with a message saying so instead of running
 * unauthenticated. With PLAIN it runs until ready (every client it has authenticated: the admin client, the group's
 * consumers, the transactional producers) and stops: the data path after authentication is the same for both.
 */
@Tag("fault")
class SaslIT {
  private static final String PASSWORD = "mf-s3cret-pw-7781";

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"PLAIN", "SCRAM-SHA-512"})
  void shouldRunOverSaslWithoutShowingTheSecret(String mechanism, @TempDir Path dir) throws Exception {
    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(dir.resolve("broker"), 0, Map.of(),
            Map.of("marginflow", PASSWORD));
        EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.start("127.0.0.1", 0, new SchemaStore())) {
      KafkaStack kafka = new KafkaStack(broker.bootstrapServers(), registry.url(), "embedded");
      Pipelines.createTopicsForHistory(kafka);
      if (mechanism.startsWith("SCRAM")) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
          admin.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion("marginflow",
              new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 8192), PASSWORD))).all().get();
        }
      }
      Path files = dir.resolve("scenario");
      new ScenarioGenerator(new GeneratorOptions(4, 2, 1, 81, GeneratorOptions.DEFAULT_START, 1, null)).write(files);
      Scenario all = Scenario.read(files);
      ConfluentAvroSerializer<SpecificRecord> serializer = new ConfluentAvroSerializer<>();
      serializer.configure(Map.of("schema.registry.url", registry.url()), false);
      MarginflowSerdes serdes = new MarginflowSerdes(Map.of("schema.registry.url", registry.url()));
      int expected = ReferenceMargins.compute(files, System.currentTimeMillis()).size();

      // A wrong password once (SCRAM, the mechanism production uses): the refusal is the broker's, the same for both.
      Path wrongLog = dir.resolve("wrong-password.log");
      Files.writeString(wrongLog, "");
      if (mechanism.startsWith("SCRAM")) {
        try (ChildInstance wrong = ChildInstance.start(settings(kafka, broker, mechanism, "not-the-password", dir), dir,
            wrongLog)) {
          Records.await(Duration.ofMinutes(2), "the instance with a wrong password to stop", () -> !wrong.alive());
        }
        String refused = Files.readString(wrongLog);
        assertTrue(refused.contains("Authentication failed") || refused.contains("SaslAuthenticationException"),
            "the start-up error says why");
      }

      Path log = dir.resolve("run.log");
      try (ScenarioProducer producer = new ScenarioProducer(kafka.bootstrapServers(), serializer, Topics.defaults(), 60_000)) {
        producer.reference(all);
      }
      try (ScenarioProducer producer = new ScenarioProducer(kafka.bootstrapServers(), serializer, Topics.defaults(), 60_000);
          ChildInstance child = ChildInstance.start(settings(kafka, broker, mechanism, PASSWORD, dir), dir, log)) {
        child.awaitReady(Duration.ofSeconds(90));
        if (mechanism.startsWith("SCRAM")) {
          // Ticks 2 h on close the hourly windows, the only ones compared (margins.windows=1h below).
          producer.events(all, System.currentTimeMillis(), 2 * 3_600_000L, System.err);
          Records.await(Duration.ofMinutes(2), expected + " hourly margins", () -> hourly(kafka, serdes).size() >= expected);
        }
        assertNotEquals(-1, child.stop());
      }
      try {
        if (mechanism.startsWith("SCRAM")) {
          ReferenceMargins.assertMatchesWith(ReferenceMargins.multipliers(kafka), files, hourly(kafka, serdes).stream()
              .map(r -> (JsonNode) JsonLines.toJson(r.value())).toList());
        }
      } catch (AssertionError e) {
        Files.readAllLines(log).stream().filter(l -> l.contains("WARN") || l.contains("ERROR") || l.contains("Exception"))
            .limit(80).forEach(l -> System.err.println("SaslIT child: " + l));
        throw e;
      }
      String text = Files.readString(log) + Files.readString(wrongLog);
      assertFalse(text.contains(PASSWORD), "the password appears in the log");
      assertFalse(text.contains("not-the-password"), "the wrong password appears in the log");
      assertTrue(Files.readString(log).contains("kafka.sasl.jaas.config=[hidden]"),
          "the effective-configuration line is logged, with the JAAS configuration hidden");
    }
  }

  private static Map<String, String> settings(KafkaStack kafka, EmbeddedKafkaBroker broker, String mechanism,
      String password, Path dir) {
    Map<String, String> s = Pipelines.settings(kafka, "sasl-it", dir.resolve("state-" + Math.abs(password.hashCode())));
    s.remove("http.port");
    s.put("margins.windows", "1h");
    s.put("bootstrap.servers", broker.saslBootstrapServers());
    s.put("kafka.security.protocol", "SASL_PLAINTEXT");
    s.put("kafka.sasl.mechanism", mechanism);
    String module = mechanism.equals("PLAIN") ? "org.apache.kafka.common.security.plain.PlainLoginModule"
        : "org.apache.kafka.common.security.scram.ScramLoginModule";
    s.put("kafka.sasl.jaas.config", module + " required username=\"marginflow\" password=\"" + password + "\";");
    return s;
  }

  private static List<ConsumerRecord<String, TenantMargin>> hourly(KafkaStack kafka, MarginflowSerdes serdes) {
    return Records.readToEnd(kafka.consumerConfig("sasl-reader"), Topics.defaults().margins(), Duration.ofSeconds(10),
        new StringDeserializer(), serdes.value(TenantMargin.class).deserializer()).stream()
        .filter(r -> r.value().getWindow().equals("1h")).toList();
  }
}

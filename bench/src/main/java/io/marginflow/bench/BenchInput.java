package io.marginflow.bench;

import io.marginflow.ops.embedded.EmbeddedStack;
import io.marginflow.ops.replay.ScenarioProducer;
import io.marginflow.ops.scenario.Scenario;
import io.marginflow.ops.scenario.ScenarioGenerator;
import io.marginflow.ops.scenario.SyntheticLoad;
import io.marginflow.serde.AvroSerdeConfig;
import io.marginflow.serde.ConfluentAvroSerializer;
import io.marginflow.ops.topics.TopicProvisioner;
import io.marginflow.topology.TopicCatalog;
import io.marginflow.topology.config.MarginflowConfig;
import io.marginflow.topology.config.Topics;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.ProducerConfig;

/** The benchmarks' input: a synthetic load written into the embedded broker before anything is timed. */
final class BenchInput {
  private BenchInput() {
  }

  /**
   * The pipeline's settings on the embedded stack ({@code settings} first, then {@code overrides} from --set), with
   * every topic created, events kept forever: the broker must not delete the pre-loaded history.
   */
  static MarginflowConfig pipeline(EmbeddedStack stack, String applicationId, Path stateDir, Map<String, String> settings,
      Map<String, String> overrides) throws Exception {
    Map<String, String> all = new HashMap<>(settings);
    all.put(MarginflowConfig.BOOTSTRAP_SERVERS, stack.bootstrapServers());
    all.put(MarginflowConfig.SCHEMA_REGISTRY_URL, stack.registryUrl());
    all.put(MarginflowConfig.APPLICATION_ID, applicationId);
    all.put(MarginflowConfig.STATE_DIR, stateDir.toString());
    all.putAll(overrides);
    MarginflowConfig config = MarginflowConfig.of(all);
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers()))) {
      new TopicProvisioner(admin, (short) 1).apply(TopicCatalog.defaults().keepingEventsForever().all(), false);
    }
    return config;
  }

  /** An event-time start that ends well in the past, so the closing ticks (a day past the last event) are accepted. */
  static Instant startFor(long events, double eventsPerSecond) {
    return Instant.now().minus(Duration.ofDays(3)).minusMillis((long) (events * 1000.0 / eventsPerSecond));
  }

  /** Writes reference data, then the load with its ticks and closing ticks; returns (power samples, last event time). */
  static long[] preload(EmbeddedStack stack, Topics topics, Path referenceDir, PrintWriter out, SyntheticLoad load)
      throws Exception {
    long started = System.nanoTime();
    new ScenarioGenerator(load.referenceOptions(7)).writeReference(referenceDir);
    ConfluentAvroSerializer<SpecificRecord> serializer = new ConfluentAvroSerializer<>();
    serializer.configure(Map.of("schema.registry.url", stack.registryUrl(), AvroSerdeConfig.AUTO_REGISTER, "true"), false);
    try (ScenarioProducer producer = new ScenarioProducer(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
        stack.bootstrapServers(), ProducerConfig.LINGER_MS_CONFIG, 20, ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4"),
        serializer, topics, 60_000, false)) {
      producer.reference(Scenario.read(referenceDir));
      long[] result = load.emit(producer);
      producer.tick(result[1] + Duration.ofHours(26).toMillis());
      producer.checkSent();
      out.printf("preloaded %,d usage events, %,d power samples and ticks in %.1f s (not timed)%n", load.events(),
          result[0], (System.nanoTime() - started) / 1e9);
      out.flush();
      return result;
    }
  }
}

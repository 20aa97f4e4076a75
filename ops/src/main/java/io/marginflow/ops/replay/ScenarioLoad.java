package io.marginflow.ops.replay;

import io.marginflow.schemas.Ids;
import io.marginflow.avro.PowerSample;
import io.marginflow.avro.TokenUsage;
import io.marginflow.ops.scenario.EventSource;
import io.marginflow.ops.scenario.Scenario;
import io.marginflow.ops.scenario.Scenario.Row;
import io.marginflow.serde.AvroSerdeConfig;
import io.marginflow.serde.ConfluentAvroSerializer;
import io.marginflow.topology.config.MarginflowConfig;
import io.marginflow.topology.config.Topics;
import io.marginflow.topology.config.TopologyConfig;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;

/**
 * SPEC 7 {@code produce}: writes a scenario into an existing cluster the way replay does (reference data first, then
 * usage and power rows in file order with ticks, closing ticks unless told not to), so a running pipeline computes it.
 * Rows that parse but break a rule go in as they are (the pipeline dead-letters them); lines that are not records at
 * all cannot be encoded and are reported instead.
 */
public final class ScenarioLoad {
  private ScenarioLoad() {
  }

  /**
   * Produces {@code scenario} to the cluster of {@code clientConfig} (bootstrap.servers and security settings);
   * {@code settings} name the topics, the registry and the window shape. Returns the records written per topic.
   */
  public static Map<String, Long> run(Path scenarioDir, MarginflowConfig settings, Map<String, Object> clientConfig,
      boolean close, PrintStream out) throws ExecutionException, InterruptedException {
    Scenario scenario = Scenario.readReference(scenarioDir);
    EventSource events = Scenario.events(scenarioDir);
    Topics topics = Topics.from(settings);
    TopologyConfig shape = TopologyConfig.from(settings, 1);
    ClosingTicks closing = ClosingTicks.of(shape);
    long now = System.currentTimeMillis();
    long[] span = eventSpan(events, now + shape.maxFutureSkewMs());
    if (close) {
      closing.requireClosable(span[1], now);
    }
    checkTopics(clientConfig, topics, span[0], now);
    ConfluentAvroSerializer<SpecificRecord> serializer = new ConfluentAvroSerializer<>();
    Map<String, Object> registry = new HashMap<>(settings.registryConfig());
    registry.putIfAbsent(AvroSerdeConfig.AUTO_REGISTER, "true");
    serializer.configure(registry, false);
    reportUnreadable(scenario, out);
    try (ScenarioProducer producer = new ScenarioProducer(clientConfig, serializer, topics, 60_000, false)) {
      producer.reference(scenario);
      producer.events(events, now + shape.maxFutureSkewMs(), close ? closing.afterMs() : -1, out, ScenarioLoad::report);
      return producer.sentPerTopic();
    }
  }

  private static void reportUnreadable(Scenario s, PrintStream out) {
    Stream.of(s.nodes(), s.pricebook(), s.energyPrices(), s.budgets()).flatMap(List::stream).map(r -> (Row<?>) r)
        .filter(r -> !r.ok()).forEach(r -> out.printf("not produced: %s line %d: %s%n", r.file(), r.line().number(),
            Ids.escaped(r.error())));
  }

  private static void report(Row<?> r) {
    System.err.printf("not produced: %s line %d: %s%s%n", r.file(), r.line().number(),
        r.reason() == null ? "" : r.reason() + ": ", Ids.escaped(r.error()));
  }

  /** The first and the last plausible event time of the files (a streaming pass; Long.MAX/MIN_VALUE when none). */
  private static long[] eventSpan(EventSource events, long latestPlausible) {
    long[] span = {Long.MAX_VALUE, Long.MIN_VALUE};
    try (EventSource.Rows<TokenUsage> u = events.usage(); EventSource.Rows<PowerSample> p = events.power()) {
      u.forEachRemaining(r -> widen(span, r.ok() ? r.record().getTimestampMs().toEpochMilli() : Long.MIN_VALUE, latestPlausible));
      p.forEachRemaining(r -> widen(span, r.ok() ? r.record().getTimestampMs().toEpochMilli() : Long.MIN_VALUE, latestPlausible));
    }
    return span;
  }

  private static void widen(long[] span, long ts, long latestPlausible) {
    if (ts > io.marginflow.topology.domain.Validation.MIN_TIMESTAMP_MS && ts <= latestPlausible) {
      span[0] = Math.min(span[0], ts);
      span[1] = Math.max(span[1], ts);
    }
  }

  /**
   * The event topics must exist with equal partition counts, and keep records at least as long as the scenario is
   * old: their record timestamps are the events' own, and time-based retention would delete old rows before the
   * pipeline reads them. Fails with what to change rather than losing rows silently.
   */
  private static void checkTopics(Map<String, Object> clientConfig, Topics topics, long firstEventMs, long nowMs)
      throws ExecutionException, InterruptedException {
    try (Admin admin = Admin.create(clientConfig)) {
      List<String> names = List.of(topics.usage(), topics.power());
      Map<String, TopicDescription> described;
      try {
        described = admin.describeTopics(names).allTopicNames().get(60, TimeUnit.SECONDS);
      } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
        throw new ConfigException("--bootstrap-server", String.valueOf(clientConfig.get("bootstrap.servers")),
            "cannot describe " + names + " (create them with 'marginflow topics apply'): " + e.getMessage());
      }
      if (described.get(topics.usage()).partitions().size() != described.get(topics.power()).partitions().size()) {
        throw new ConfigException("topic.usage / topic.power", names.toString(),
            "usage and power topics must have the same number of partitions");
      }
      if (firstEventMs == Long.MAX_VALUE) {
        return;
      }
      Map<ConfigResource, Config> configs = admin.describeConfigs(names.stream()
          .map(n -> new ConfigResource(ConfigResource.Type.TOPIC, n)).toList()).all().get();
      configs.forEach((resource, config) -> {
        ConfigEntry retention = config.get(TopicConfig.RETENTION_MS_CONFIG);
        long ms = retention == null ? -1 : Long.parseLong(retention.value());
        // An hour of slack: the pipeline must read the rows before retention reaches them.
        if (ms >= 0 && firstEventMs < nowMs - ms + Duration.ofHours(1).toMillis()) {
          throw new ConfigException(resource.name() + " retention.ms", Long.toString(ms), "the scenario's first event is "
              + Duration.ofMillis(nowMs - firstEventMs).toDays() + " days old and the broker would delete it (record "
              + "timestamps are event times) before the pipeline reads it; for this backfill set retention.ms=-1 on "
              + names + " (kafka-configs --alter --add-config retention.ms=-1) and restore it afterwards");
        }
      });
    }
  }
}

package io.marginflow.topology.app;

import io.marginflow.topology.config.MarginflowConfig;
import io.marginflow.topology.config.Topics;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.streams.StreamsConfig;

/** Kafka Streams' properties from marginflow's settings: exactly-once, static membership, caches, handlers. */
final class StreamsProperties {
  static final long DEFAULT_CACHE_BYTES = 128L * 1024 * 1024;
  static final long INTERNAL_TOPIC_BACKOFF_MS = 10;

  private StreamsProperties() {
  }

  /** The static group membership id of an instance, or null for dynamic membership (instance.id=none). */
  static String groupInstanceId(MarginflowConfig config) {
    String configured = config.getString(MarginflowConfig.INSTANCE_ID).trim();
    if (configured.equals("none")) {
      return null;
    }
    if (!configured.equals("auto")) {
      return configured;
    }
    Path stateDir = Path.of(config.getString(MarginflowConfig.STATE_DIR)).toAbsolutePath().normalize();
    String host = hostName().replaceAll("[^A-Za-z0-9._-]", "_");
    return config.getString(MarginflowConfig.APPLICATION_ID).replaceAll("[^A-Za-z0-9._-]", "_") + "-" + host + "-"
        + String.format("%08x", stateDir.toString().hashCode());
  }

  private static String hostName() {
    String env = System.getenv("HOSTNAME");
    if (env != null && !env.isBlank()) {
      return env.trim();
    }
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "localhost";
    }
  }

  /** The Kafka Streams properties of an instance whose query API listens on {@code httpPort}. */
  static Properties of(MarginflowConfig config, int httpPort) {
    Properties p = new Properties();
    p.putAll(config.withPrefix("kafka.", true));
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, config.getString(MarginflowConfig.APPLICATION_ID));
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, config.getString(MarginflowConfig.BOOTSTRAP_SERVERS));
    p.put(StreamsConfig.STATE_DIR_CONFIG, config.getString(MarginflowConfig.STATE_DIR));
    p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, config.getString(MarginflowConfig.PROCESSING_GUARANTEE));
    p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, config.getInt(MarginflowConfig.NUM_STREAM_THREADS));
    p.put(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, config.getInt(MarginflowConfig.NUM_STANDBY_REPLICAS));
    String instanceId = groupInstanceId(config);
    if (instanceId != null) {
      // Static membership: a restarted instance rejoins under the same id and gets its tasks back at once, instead
      // of the group waiting for the dead member's session timeout (45 s) before it rebalances.
      p.putIfAbsent(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, instanceId);
    }
    p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, config.duration(MarginflowConfig.COMMIT_INTERVAL).toMillis());
    p.put(StreamsConfig.APPLICATION_SERVER_CONFIG, config.getString(MarginflowConfig.HTTP_HOST) + ":" + httpPort);
    p.put(StreamsConfig.ENSURE_EXPLICIT_INTERNAL_RESOURCE_NAMING_CONFIG, true);
    p.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, true);
    // Correctness rests on explicit progress markers, not on timestamp synchronization between a task's inputs:
    // never idle waiting for an empty partition.
    p.putIfAbsent(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, -1L);
    // The record cache absorbs the repeated updates of the same bucket lines and panes between commits. Kafka's 10 MB
    // default is smaller than the open lines of a busy fleet: entries were evicted into RocksDB and rewritten there on
    // every update (docs/PERFORMANCE.md). On the heap, within the launcher's -Xmx.
    p.putIfAbsent(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, DEFAULT_CACHE_BYTES);
    // Bootstrapping the global tables and restoring state read partitions to their end one after the other: with the
    // default 500 ms fetch wait, every partition that has reached its end costs half a second (7 s at start-up here).
    p.putIfAbsent(StreamsConfig.globalConsumerPrefix(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG), 20);
    p.putIfAbsent(StreamsConfig.restoreConsumerPrefix(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG), 20);
    shortInternalTopicBackoff(p);
    p.put(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, BoundedRocksDbConfig.class);
    p.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, ReferenceDataDeserializationHandler.class);
    Topics t = Topics.from(config);
    p.put(ReferenceDataDeserializationHandler.REFERENCE_TOPICS_CONFIG, String.join(",", referenceTopics(t)));
    // Internal topics inherit the cluster's replication; a single-node cluster needs 1 (-1: broker default).
    p.putIfAbsent(StreamsConfig.REPLICATION_FACTOR_CONFIG, -1);
    return p;
  }

  /**
   * KAFKA-21033 (Kafka Streams 4.3.0 on, open upstream): creating the internal topics sleeps retry.backoff.ms after
   * every topic created while others of the batch are still to be checked: 1.4 s for this topology's 15 at the
   * default 100 ms, on every first start (replays, new deployments, tests). The partition assignor that creates them
   * reads the main consumer's retry.backoff.ms, so that one starts at 10 ms (a consumer's backoff grows exponentially
   * from it up to retry.backoff.max.ms, 1 s); other clients keep the default. An operator's kafka.retry.backoff.ms,
   * kafka.consumer.retry.backoff.ms or kafka.main.consumer.retry.backoff.ms wins.
   */
  static void shortInternalTopicBackoff(Properties p) {
    String key = CommonClientConfigs.RETRY_BACKOFF_MS_CONFIG;
    if (!p.containsKey(key) && !p.containsKey(StreamsConfig.consumerPrefix(key))) {
      p.putIfAbsent(StreamsConfig.mainConsumerPrefix(key), INTERNAL_TOPIC_BACKOFF_MS);
    }
  }

  /** The reference topics, read as global tables. */
  static List<String> referenceTopics(Topics t) {
    return List.of(t.nodes(), t.pricebook(), t.energyPrices(), t.budgets());
  }
}

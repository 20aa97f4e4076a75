package io.marginflow.topology.app;

import io.marginflow.topology.MarginflowTopology;
import io.marginflow.topology.config.MarginflowConfig;
import io.marginflow.topology.config.Topics;
import io.marginflow.topology.config.TopologyConfig;
import io.marginflow.topology.serde.MarginflowSerdes;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The thin wiring around the topology: checks the input topics, builds the topology, configures and starts
 * Kafka Streams (exactly-once, bounded RocksDB, error handlers, application.server for query routing).
 */
public final class MarginflowApp implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(MarginflowApp.class);
  static final long DEFAULT_CACHE_BYTES = 128L * 1024 * 1024;

  private final KafkaStreams streams;
  private final TopologyConfig topologyConfig;
  private final MarginflowSerdes serdes;

  private MarginflowApp(KafkaStreams streams, TopologyConfig topologyConfig, MarginflowSerdes serdes) {
    this.streams = streams;
    this.topologyConfig = topologyConfig;
    this.serdes = serdes;
  }

  /** Builds and starts the application; the usage and power topics must exist with the same partition count. */
  public static MarginflowApp start(MarginflowConfig config, int httpPort) {
    int partitions = inputPartitions(config);
    TopologyConfig topologyConfig = TopologyConfig.from(config, partitions);
    MarginflowSerdes serdes = new MarginflowSerdes(config.registryConfig());
    Topology topology = MarginflowTopology.build(topologyConfig, serdes);
    LOG.info("Topology:\n{}", topology.describe());
    KafkaStreams streams = new KafkaStreams(topology, streamsProperties(config, httpPort));
    streams.setUncaughtExceptionHandler(new ThreadReplacementPolicy(3, TimeUnit.MINUTES.toMillis(10)));
    streams.setStateListener((now, before) -> LOG.info("Kafka Streams state {} -> {}", before, now));
    streams.start();
    return new MarginflowApp(streams, topologyConfig, serdes);
  }

  static Properties streamsProperties(MarginflowConfig config, int httpPort) {
    Properties p = new Properties();
    p.putAll(config.withPrefix("kafka.", true));
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, config.getString(MarginflowConfig.APPLICATION_ID));
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, config.getString(MarginflowConfig.BOOTSTRAP_SERVERS));
    p.put(StreamsConfig.STATE_DIR_CONFIG, config.getString(MarginflowConfig.STATE_DIR));
    p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, config.getString(MarginflowConfig.PROCESSING_GUARANTEE));
    p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, config.getInt(MarginflowConfig.NUM_STREAM_THREADS));
    p.put(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, config.getInt(MarginflowConfig.NUM_STANDBY_REPLICAS));
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
    p.put(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, BoundedRocksDbConfig.class);
    p.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, ReferenceDataDeserializationHandler.class);
    Topics t = Topics.from(config);
    p.put(ReferenceDataDeserializationHandler.REFERENCE_TOPICS_CONFIG,
        String.join(",", List.of(t.nodes(), t.pricebook(), t.energyPrices(), t.budgets())));
    // Internal topics inherit the cluster's replication; a single-node cluster needs 1 (-1: broker default).
    p.putIfAbsent(StreamsConfig.REPLICATION_FACTOR_CONFIG, -1);
    return p;
  }

  private static int inputPartitions(MarginflowConfig config) {
    Topics t = Topics.from(config);
    Map<String, Object> admin = new java.util.HashMap<>(config.withPrefix("kafka.", true));
    admin.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.getString(MarginflowConfig.BOOTSTRAP_SERVERS));
    try (Admin a = Admin.create(admin)) {
      Map<String, TopicDescription> d = a.describeTopics(List.of(t.usage(), t.power())).allTopicNames()
          .get(60, TimeUnit.SECONDS);
      int usage = d.get(t.usage()).partitions().size();
      int power = d.get(t.power()).partitions().size();
      if (usage != power) {
        throw new ConfigException("topic.usage / topic.power", t.usage() + "=" + usage + ", " + t.power() + "=" + power,
            "usage and power topics must have the same number of partitions (attribution co-partitions them by node)");
      }
      return usage;
    } catch (ExecutionException e) {
      throw new ConfigException(MarginflowConfig.BOOTSTRAP_SERVERS, config.getString(MarginflowConfig.BOOTSTRAP_SERVERS),
          "cannot describe the input topics " + t.usage() + ", " + t.power() + " (run 'marginflow topics apply'): "
              + e.getCause());
    } catch (TimeoutException e) {
      throw new ConfigException(MarginflowConfig.BOOTSTRAP_SERVERS, config.getString(MarginflowConfig.BOOTSTRAP_SERVERS),
          "no Kafka cluster answered within 60 s");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  public KafkaStreams streams() {
    return streams;
  }

  public TopologyConfig topologyConfig() {
    return topologyConfig;
  }

  public MarginflowSerdes serdes() {
    return serdes;
  }

  /**
   * Stops cleanly and leaves the consumer group, so a restarted or remaining instance takes the partitions over at
   * once instead of after the session timeout.
   */
  @Override
  public void close() {
    streams.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
        .withTimeout(Duration.ofSeconds(30)));
  }
}

package io.marginflow.topology.app;

import io.marginflow.topology.MarginflowTopology;
import io.marginflow.topology.config.MarginflowConfig;
import io.marginflow.topology.metrics.PipelineMeters;
import io.marginflow.topology.metrics.WatermarkLag;
import io.marginflow.topology.config.Topics;
import io.marginflow.topology.config.TopologyConfig;
import io.marginflow.topology.serde.MarginflowSerdes;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.CommonClientConfigs;
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
  static final long INTERNAL_TOPIC_BACKOFF_MS = 10;

  private final KafkaStreams streams;
  private final TopologyConfig topologyConfig;
  private final MarginflowSerdes serdes;
  private final UncleanStopGuard guard;
  private final CompletableFuture<Void> failed;
  private final ReferenceRejects referenceRejects;
  private final WatermarkLag watermarkLag;
  private final PipelineMeters pipelineMeters;

  private MarginflowApp(KafkaStreams streams, TopologyConfig topologyConfig, MarginflowSerdes serdes,
      UncleanStopGuard guard, CompletableFuture<Void> failed, ReferenceRejects referenceRejects,
      WatermarkLag watermarkLag, PipelineMeters pipelineMeters) {
    this.pipelineMeters = pipelineMeters;
    this.referenceRejects = referenceRejects;
    this.watermarkLag = watermarkLag;
    this.streams = streams;
    this.topologyConfig = topologyConfig;
    this.serdes = serdes;
    this.guard = guard;
    this.failed = failed;
  }

  /** Builds and starts the application; the usage and power topics must exist with the same partition count. */
  public static MarginflowApp start(MarginflowConfig config, int httpPort) {
    int partitions;
    Map<String, Object> adminConfig = new java.util.HashMap<>(config.withPrefix("kafka.", true));
    adminConfig.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.getString(MarginflowConfig.BOOTSTRAP_SERVERS));
    try (Admin admin = Admin.create(adminConfig)) {
      BrokerReach.require(admin, config.getString(MarginflowConfig.BOOTSTRAP_SERVERS), BrokerReach.DEFAULT_WAIT);
      partitions = inputPartitions(admin, config);
      ChangelogSettings.ensureAppendTime(admin, config.getString(MarginflowConfig.APPLICATION_ID));
    }
    TopologyConfig topologyConfig = TopologyConfig.from(config, partitions);
    MarginflowSerdes serdes = new MarginflowSerdes(config.registryConfig());
    Topology topology = MarginflowTopology.build(topologyConfig, serdes);
    LOG.info(startupLine(topology, config));
    LOG.debug("Topology:\n{}", topology.describe());
    Properties properties = streamsProperties(config, httpPort);
    PipelineMeters meters = new PipelineMeters(Topics.from(config).usage(), Topics.from(config).power());
    properties.put(PipelineMeters.CONFIG, meters);
    ReferenceRejects rejects = new ReferenceRejects(referenceTopics(Topics.from(config)));
    properties.put(ReferenceDataDeserializationHandler.REJECTS_CONFIG, rejects);
    WatermarkLag watermarkLag = new WatermarkLag(partitions, System::currentTimeMillis);
    properties.put(WatermarkLag.CONFIG, watermarkLag);
    KafkaStreams streams = new KafkaStreams(topology, properties);
    CompletableFuture<Void> failed = new CompletableFuture<>();
    streams.setUncaughtExceptionHandler(new ThreadReplacementPolicy(3, TimeUnit.MINUTES.toMillis(10)));
    streams.setStateListener((now, before) -> {
      LOG.info("Kafka Streams state {} -> {}", before, now);
      if (now == KafkaStreams.State.ERROR) {
        failed.complete(null);
      }
    });
    UncleanStopGuard guard = new UncleanStopGuard(Path.of(config.getString(MarginflowConfig.STATE_DIR)),
        config.getString(MarginflowConfig.APPLICATION_ID));
    if (guard.previousRunUnclean() && !StreamsConfig.AT_LEAST_ONCE.equals(config.getString(MarginflowConfig.PROCESSING_GUARANTEE))) {
      LOG.warn("The previous run on {} did not stop cleanly ({} is there): under exactly-once its stores are invalid, so "
          + "the local state is wiped now and restored from the changelogs (docs/RELIABILITY.md)",
          config.getString(MarginflowConfig.STATE_DIR), guard.marker());
      streams.cleanUp();
    }
    guard.started();
    LOG.info("Group membership: {}", properties.containsKey(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG)
        ? "static, group.instance.id " + properties.get(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG) + " (+ thread suffix)"
        : "dynamic");
    streams.start();
    return new MarginflowApp(streams, topologyConfig, serdes, guard, failed, rejects, watermarkLag, meters);
  }

  /**
   * The start-up line: the topology's digest (SHA-256 of its description: two instances that print different digests
   * run different topologies and must not share an application.id) and the effective configuration, secrets hidden.
   */
  static String startupLine(Topology topology, MarginflowConfig config) {
    String description = topology.describe().toString();
    String digest;
    try {
      digest = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
          .digest(description.getBytes(java.nio.charset.StandardCharsets.UTF_8))).substring(0, 16);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    return "Starting marginflow: topology " + digest + " (" + topology.describe().subtopologies().size()
        + " sub-topologies, " + topology.describe().globalStores().size() + " global stores); effective configuration "
        + "(secrets hidden): " + config.effective();
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

  static Properties streamsProperties(MarginflowConfig config, int httpPort) {
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

  private static List<String> referenceTopics(Topics t) {
    return List.of(t.nodes(), t.pricebook(), t.energyPrices(), t.budgets());
  }

  private static int inputPartitions(Admin admin, MarginflowConfig config) {
    Topics t = Topics.from(config);
    // Topics read or written per input partition: they must have as many partitions as the inputs.
    Map<String, String> perPartition = new java.util.LinkedHashMap<>();
    perPartition.put("pricing-feedback", t.pricingFeedback());
    perPartition.put("cost-slices", t.costSlices());
    try {
      List<String> names = new java.util.ArrayList<>(List.of(t.usage(), t.power()));
      names.addAll(perPartition.values());
      Map<String, TopicDescription> d = admin.describeTopics(names).allTopicNames().get(60, TimeUnit.SECONDS);
      int usage = d.get(t.usage()).partitions().size();
      int power = d.get(t.power()).partitions().size();
      if (usage != power) {
        throw new ConfigException("topic.usage / topic.power", t.usage() + "=" + usage + ", " + t.power() + "=" + power,
            "usage and power topics must have the same number of partitions (attribution co-partitions them by node)");
      }
      for (Map.Entry<String, String> e : perPartition.entrySet()) {
        int n = d.get(e.getValue()).partitions().size();
        if (n != usage) {
          throw new ConfigException(MarginflowConfig.TOPIC_PREFIX + e.getKey(), e.getValue() + "=" + n, "must have as many "
              + "partitions as the input topics (" + usage + "): it is read or written per input partition");
        }
      }
      return usage;
    } catch (ExecutionException e) {
      throw new ConfigException(MarginflowConfig.BOOTSTRAP_SERVERS, config.getString(MarginflowConfig.BOOTSTRAP_SERVERS),
          "cannot describe the topics " + t.usage() + ", " + t.power() + ", " + String.join(", ", perPartition.values())
              + " (run 'marginflow topics apply'): "
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

  /** Each input partition's stream time behind the wall clock, as processed on this instance. */
  public WatermarkLag watermarkLag() {
    return watermarkLag;
  }

  /** The pipeline's own meters (README, Metrics). */
  public PipelineMeters pipelineMeters() {
    return pipelineMeters;
  }

  /** Reference records skipped as undeserializable, per topic. */
  public ReferenceRejects referenceRejects() {
    return referenceRejects;
  }

  /** Completes when Kafka Streams has failed (state ERROR: a stream thread died beyond the replacement budget). */
  public CompletableFuture<Void> failed() {
    return failed;
  }

  /**
   * Stops cleanly and leaves the consumer group, so a restarted or remaining instance takes the partitions over at
   * once instead of after the session timeout. Only a close that completes after a run without failure counts as a
   * clean stop for {@link UncleanStopGuard}.
   */
  @Override
  public void close() {
    boolean healthy = !failed.isDone();
    boolean closed = streams.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
        .withTimeout(Duration.ofSeconds(30)));
    if (closed && healthy) {
      guard.stoppedCleanly();
    } else {
      LOG.warn("Kafka Streams did not stop cleanly (closed within timeout: {}, failed before: {}); the next start "
          + "restores state from the changelogs", closed, !healthy);
    }
  }
}

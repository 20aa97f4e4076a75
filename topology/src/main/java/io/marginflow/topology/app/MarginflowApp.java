package io.marginflow.topology.app;

import io.marginflow.topology.MarginflowTopology;
import io.marginflow.topology.config.MarginflowConfig;
import io.marginflow.topology.metrics.PipelineMeters;
import io.marginflow.topology.metrics.WatermarkLag;
import io.marginflow.topology.config.Topics;
import io.marginflow.topology.config.TopologyConfig;
import io.marginflow.topology.serde.MarginflowSerdes;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
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
      partitions = InputTopics.partitions(admin, config);
      ChangelogSettings.ensureAppendTime(admin, config.getString(MarginflowConfig.APPLICATION_ID));
    }
    TopologyConfig topologyConfig = TopologyConfig.from(config, partitions);
    MarginflowSerdes serdes = new MarginflowSerdes(config.registryConfig());
    Topology topology = MarginflowTopology.build(topologyConfig, serdes);
    LOG.info(startupLine(topology, config));
    LOG.debug("Topology:\n{}", topology.describe());
    Properties properties = StreamsProperties.of(config, httpPort);
    PipelineMeters meters = new PipelineMeters(Topics.from(config).usage(), Topics.from(config).power());
    properties.put(PipelineMeters.CONFIG, meters);
    ReferenceRejects rejects = new ReferenceRejects(StreamsProperties.referenceTopics(Topics.from(config)));
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

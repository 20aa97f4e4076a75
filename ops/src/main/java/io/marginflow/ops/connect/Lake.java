package io.marginflow.ops.connect;

import io.marginflow.connectors.iceberg.IcebergSink;
import io.marginflow.connectors.iceberg.LakeTable;
import io.marginflow.topology.TopicCatalog;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.iceberg.catalog.Catalog;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupNotEmptyException;
import org.apache.kafka.common.errors.LeaderNotAvailableException;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownMemberIdException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * marginflow's history as Iceberg tables ({@link LakeTable}): one Apache Iceberg sink per table on a Kafka Connect
 * worker, all in one catalog. {@link #prepare} does what the sinks cannot do for themselves (the control topic, the
 * namespace, a starting point for each commit coordinator); {@link #sinks} gives their settings.
 */
public final class Lake {
  private static final Logger LOG = LoggerFactory.getLogger(Lake.class);

  private Lake() {
  }

  /**
   * Creates the sinks' control topic and the {@link LakeTable#NAMESPACE} namespace unless they exist (sinks that
   * create the namespace at once collide in the catalog), and anchors each sink's commit coordinator ({@link
   * #anchor}). Run it before the sinks start.
   */
  public static void prepare(Admin admin, Map<String, String> catalogSettings) throws Exception {
    createControlTopic(admin, IcebergSink.CONTROL_TOPIC);
    for (LakeTable t : LakeTable.values()) {
      anchorGroup(admin, IcebergSink.CONTROL_TOPIC, IcebergSink.coordinatorGroup(t.connector()));
    }
    Catalog catalog = IcebergSink.catalog(catalogSettings);
    try {
      IcebergSink.createNamespace(catalog, LakeTable.NAMESPACE);
    } finally {
      if (catalog instanceof AutoCloseable c) {
        c.close();
      }
    }
  }

  /**
   * For the Iceberg sink {@code sink} configures: creates its control topic unless it exists (one partition,
   * replicated like marginflow's topics: 3 copies, or as many as there are brokers), and gives its commit coordinator's
   * consumer group a committed offset at the start of the control topic unless it has one the topic still holds.
   * Without it, a coordinator that starts while the group has no offset (never committed, its predecessor died before
   * its first offset commit, or retention passed it) reads the control topic from its end once assigned ({@code
   * auto.offset.reset=latest}), and the data files that tasks reported in the meantime are never committed while their
   * records' offsets are: lost (seen in {@code LakeExactlyOnceIT}). From the start, it re-reads what the table already
   * holds and skips it by the control-topic offsets each snapshot records. A group with members is left to them.
   */
  public static void anchor(Admin admin, Map<String, String> sink) throws Exception {
    String topic = IcebergSink.controlTopic(sink);
    createControlTopic(admin, topic);
    anchorGroup(admin, topic, IcebergSink.coordinatorGroup(sink));
  }

  private static void createControlTopic(Admin admin, String topic) throws Exception {
    short copies = (short) Math.min(3, admin.describeCluster().nodes().get().size());
    try {
      admin.createTopics(List.of(new NewTopic(topic, Optional.of(1), Optional.of(copies)))).all().get();
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) {
        throw e;
      }
    }
  }

  private static void anchorGroup(Admin admin, String topic, String group) throws Exception {
    whileStarting(() -> {
      anchorOnce(admin, topic, group);
      return null;
    });
  }

  private static void anchorOnce(Admin admin, String topic, String group) throws Exception {
    Map<TopicPartition, OffsetSpec> specs = new HashMap<>();
    admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions()
        .forEach(p -> specs.put(new TopicPartition(topic, p.partition()), OffsetSpec.earliest()));
    Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
        .partitionsToOffsetAndMetadata().get();
    Map<TopicPartition, OffsetAndMetadata> start = new HashMap<>();
    admin.listOffsets(specs).all().get().forEach((p, earliest) -> {
      OffsetAndMetadata c = committed.get(p);
      if (c == null || c.offset() < earliest.offset()) {
        start.put(p, new OffsetAndMetadata(earliest.offset()));
      }
    });
    if (start.isEmpty()) {
      return;
    }
    try {
      admin.alterConsumerGroupOffsets(group, start).all().get();
      LOG.info("Commit coordinator group {} anchored at {}", group, start);
    } catch (ExecutionException e) {
      // A member joined: the broker refuses offsets for an active group (GroupNotEmpty or, as 4.x says, UnknownMemberId).
      if (!(e.getCause() instanceof GroupNotEmptyException || e.getCause() instanceof UnknownMemberIdException)) {
        throw e;
      }
      LOG.warn("Commit coordinator group {} has no committed offset on {} but has members: a coordinator already runs "
          + "and may read the control topic from its end (README \"Data teams\")", group, start.keySet());
    }
  }

  /** Runs {@code step}, again for 30 s while a topic just created has no leader yet. */
  private static <T> T whileStarting(Callable<T> step) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      try {
        return step.call();
      } catch (ExecutionException e) {
        boolean starting = e.getCause() instanceof UnknownTopicOrPartitionException
            || e.getCause() instanceof LeaderNotAvailableException || e.getCause() instanceof NotLeaderOrFollowerException;
        if (!starting || System.nanoTime() > deadline) {
          throw e;
        }
        TimeUnit.MILLISECONDS.sleep(200); // the new partition's leader is being elected
      }
    }
  }

  /**
   * The sinks of every lake table, reading the topics as {@code topics} names them, committing every interval; {@code
   * kafka}: the sinks' own Kafka clients' settings (bootstrap.servers and any security.protocol, sasl.*, ssl.*).
   */
  public static List<Map<String, String>> sinks(TopicCatalog topics, Map<String, String> kafka, String registryUrl,
      Map<String, String> catalogSettings, long commitIntervalMs) {
    List<Map<String, String>> out = new ArrayList<>();
    for (LakeTable t : LakeTable.values()) {
      out.add(IcebergSink.config(t.connector(), topics.get(t.topicId()).name(), t.table(), t.partitionBy(),
          kafka, registryUrl, catalogSettings, commitIntervalMs));
    }
    return out;
  }

  /** The settings of {@code worker} that the sinks' own Kafka clients need: brokers and security. */
  public static Map<String, String> kafkaClient(Map<String, String> worker) {
    Map<String, String> out = new HashMap<>();
    worker.forEach((k, v) -> {
      if (k.equals("bootstrap.servers") || k.equals("security.protocol") || k.startsWith("sasl.")
          || k.startsWith("ssl.")) {
        out.put(k, v);
      }
    });
    return out;
  }
}

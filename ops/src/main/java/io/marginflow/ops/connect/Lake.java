package io.marginflow.ops.connect;

import io.marginflow.connectors.iceberg.IcebergSink;
import io.marginflow.connectors.iceberg.LakeTable;
import io.marginflow.topology.TopicCatalog;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.iceberg.catalog.Catalog;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupNotEmptyException;
import org.apache.kafka.common.errors.LeaderNotAvailableException;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * marginflow's history as Iceberg tables ({@link LakeTable}): one Apache Iceberg sink per table on a Kafka Connect
 * worker, all in one catalog. {@link #prepare} does what the sinks cannot do for themselves (the control topic, the
 * namespace, a starting point for each commit coordinator); {@link #sinks} gives their settings.
 */
public final class Lake {
  private Lake() {
  }

  /**
   * Creates the sinks' control topic (one partition, the brokers' default replication) and the {@link
   * LakeTable#NAMESPACE} namespace unless they exist (sinks that create the namespace at once collide in the catalog),
   * and anchors each sink's commit coordinator at the start of the control topic ({@link #anchorCoordinator}). Run it
   * before the sinks first start.
   */
  public static void prepare(Admin admin, Map<String, String> catalogSettings) throws Exception {
    try {
      admin.createTopics(List.of(new NewTopic(IcebergSink.CONTROL_TOPIC, Optional.of(1), Optional.empty()))).all().get();
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) {
        throw e;
      }
    }
    for (LakeTable t : LakeTable.values()) {
      anchorCoordinator(admin, IcebergSink.coordinatorGroup(t.connector()));
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
   * Gives the sink's commit coordinator group {@code group} a committed offset at the start of the control topic
   * unless it has one. Without it, a coordinator that starts while the group has no offset (never committed, or its
   * predecessor died before its first offset commit) reads the control topic from its end once it is assigned, and
   * the data files that tasks reported in the meantime are never committed while their records' offsets are: lost
   * (seen in {@code LakeExactlyOnceIT}). From the start, it re-reads what the table already holds and skips it by the
   * control-topic offsets each snapshot records. A group with members is left to them.
   */
  static void anchorCoordinator(Admin admin, String group) throws Exception {
    Set<TopicPartition> partitions = new HashSet<>();
    admin.describeTopics(List.of(IcebergSink.CONTROL_TOPIC)).allTopicNames().get().get(IcebergSink.CONTROL_TOPIC)
        .partitions().forEach(p -> partitions.add(new TopicPartition(IcebergSink.CONTROL_TOPIC, p.partition())));
    Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
        .partitionsToOffsetAndMetadata().get();
    partitions.removeIf(p -> committed.get(p) != null);
    if (partitions.isEmpty()) {
      return;
    }
    Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
    partitions.forEach(p -> earliest.put(p, OffsetSpec.earliest()));
    Map<TopicPartition, OffsetAndMetadata> start = new HashMap<>();
    startOffsets(admin, earliest).forEach((p, o) -> start.put(p, new OffsetAndMetadata(o.offset())));
    try {
      admin.alterConsumerGroupOffsets(group, start).all().get();
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof GroupNotEmptyException)) {
        throw e;
      }
    }
  }

  /** The offsets {@code specs} ask for, retried for 30 s while a topic just created has no leader yet. */
  private static Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> startOffsets(Admin admin,
      Map<TopicPartition, OffsetSpec> specs) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      try {
        return admin.listOffsets(specs).all().get();
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

  /** The sinks of every lake table, reading the topics as {@code topics} names them, committing every interval. */
  public static List<Map<String, String>> sinks(TopicCatalog topics, String bootstrapServers, String registryUrl,
      Map<String, String> catalogSettings, long commitIntervalMs) {
    List<Map<String, String>> out = new ArrayList<>();
    for (LakeTable t : LakeTable.values()) {
      out.add(IcebergSink.config(t.connector(), topics.get(t.topicId()).name(), t.table(), t.partitionBy(),
          bootstrapServers, registryUrl, catalogSettings, commitIntervalMs));
    }
    return out;
  }
}

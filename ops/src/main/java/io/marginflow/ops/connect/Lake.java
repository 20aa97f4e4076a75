package io.marginflow.ops.connect;

import io.marginflow.connectors.iceberg.IcebergSink;
import io.marginflow.connectors.iceberg.LakeTable;
import io.marginflow.topology.TopicCatalog;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import org.apache.iceberg.catalog.Catalog;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * marginflow's history as Iceberg tables ({@link LakeTable}): one Apache Iceberg sink per table on a Kafka Connect
 * worker, all in one catalog. {@link #prepare} does what the sinks cannot do for themselves (the control topic, the
 * namespace); {@link #sinks} gives their settings.
 */
public final class Lake {
  private Lake() {
  }

  /**
   * Creates the sinks' control topic (one partition, the brokers' default replication) and the {@link
   * LakeTable#NAMESPACE} namespace unless they exist: sinks that create the namespace at once collide in the catalog.
   */
  public static void prepare(Admin admin, Map<String, String> catalogSettings) throws Exception {
    try {
      admin.createTopics(List.of(new NewTopic(IcebergSink.CONTROL_TOPIC, Optional.of(1), Optional.empty()))).all().get();
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) {
        throw e;
      }
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

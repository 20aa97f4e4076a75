package io.marginflow.connectors.iceberg;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.iceberg.CatalogUtil;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.exceptions.AlreadyExistsException;

/**
 * The Apache Iceberg sink for Kafka Connect ({@code org.apache.iceberg.connect.IcebergSinkConnector}) as marginflow
 * runs it: Confluent-wire Avro values read by {@link ConfluentAvroConverter}, tables created on first write and
 * evolved with the Avro schema (a new optional field becomes a column), Avro data files, and, for the embedded
 * default, a lake in a local folder: a JDBC catalog on an H2 file and {@link LocalFileIO} (no Hadoop, no server). The
 * sink commits exactly once through its own coordinator (control topic {@link #CONTROL_TOPIC}, which must exist).
 */
public final class IcebergSink {
  /** The sink's control topic (one partition; the broker may not create topics on demand). */
  public static final String CONTROL_TOPIC = "control-iceberg";
  /** Readers must open the catalog under the name the sink writes it with. */
  public static final String CATALOG_NAME = "iceberg";
  public static final String CONNECTOR_CLASS = "org.apache.iceberg.connect.IcebergSinkConnector";
  /** H2's setting of the address its servers bind: the local lake's catalog is served on loopback only. */
  private static final String H2_BIND_ADDRESS = "h2.bindAddress";

  static {
    // H2 reads it when it first starts a server: before any catalog of this class is opened.
    if (System.getProperty(H2_BIND_ADDRESS) == null) {
      System.setProperty(H2_BIND_ADDRESS, "127.0.0.1");
    }
  }

  private IcebergSink() {
  }

  /**
   * A sink of {@code topic} into {@code table} (namespace.name) partitioned by {@code partitionBy} (an Iceberg
   * transform, e.g. {@code day(window_start_ms)}), committing every {@code commitIntervalMs}; {@code kafka}: the settings
   * of the sink's own Kafka clients (coordinator, control topic): bootstrap.servers and any security settings.
   */
  public static Map<String, String> config(String name, String topic, String table, String partitionBy,
      Map<String, String> kafka, String registryUrl, Map<String, String> catalog, long commitIntervalMs) {
    Map<String, String> c = new LinkedHashMap<>();
    c.put("name", name);
    c.put("connector.class", CONNECTOR_CLASS);
    c.put("tasks.max", "1");
    c.put("topics", topic);
    c.put("key.converter", "org.apache.kafka.connect.storage.StringConverter");
    c.put("value.converter", ConfluentAvroConverter.class.getName());
    c.put("value.converter.schema.registry.url", registryUrl);
    // Margins are written exactly once (transactions): read only what was committed, from the start.
    c.put("consumer.override.isolation.level", "read_committed");
    c.put("consumer.override.auto.offset.reset", "earliest");
    c.put("iceberg.tables", table);
    c.put("iceberg.tables.auto-create-enabled", "true");
    c.put("iceberg.tables.evolve-schema-enabled", "true");
    c.put("iceberg.table." + table + ".partition-by", partitionBy);
    c.put("iceberg.tables.auto-create-props.write.format.default", "avro");
    c.put("iceberg.tables.auto-create-props.format-version", "2");
    c.put("iceberg.control.topic", CONTROL_TOPIC);
    c.put("iceberg.control.commit.interval-ms", Long.toString(commitIntervalMs));
    // In-process the sink cannot find the worker's settings: its own clients need the brokers (and their security).
    new java.util.TreeMap<>(kafka).forEach((k, v) -> c.put("iceberg.kafka." + k, v));
    c.put("iceberg.catalog", CATALOG_NAME);
    catalog.forEach((k, v) -> c.put("iceberg.catalog." + k, v));
    return c;
  }

  /**
   * The embedded lake's catalog settings: a JDBC catalog on an H2 file under {@code lake}, data files under it too.
   * Several processes share the file (Connect workers, a reader): the first to open it serves it to the others over
   * TCP (H2's AUTO_SERVER, on loopback, each connection needing the random key in the lock file beside it), and when
   * that process dies another takes over (AUTO_RECONNECT).
   */
  public static Map<String, String> localCatalog(Path lake) {
    Path dir = lake.toAbsolutePath();
    return Map.of("type", "jdbc", "uri", "jdbc:h2:file:" + dir.resolve("catalog") + ";AUTO_SERVER=TRUE;AUTO_RECONNECT=TRUE",
        "warehouse", dir.resolve("warehouse").toString(), "io-impl", LocalFileIO.class.getName());
  }

  /**
   * Creates {@code namespace} in {@code catalog} unless it exists. Before starting several sinks into one namespace:
   * sinks that create it at the same moment collide in the catalog, and the loser's task stops.
   */
  public static void createNamespace(Catalog catalog, String namespace) {
    SupportsNamespaces namespaces = (SupportsNamespaces) catalog;
    Namespace ns = Namespace.of(namespace);
    if (!namespaces.namespaceExists(ns)) {
      try {
        namespaces.createNamespace(ns);
      } catch (AlreadyExistsException e) {
        // another worker made it in the meantime
      }
    }
  }

  /** The consumer group of the commit coordinator of the sink named {@code connector} (the sink's default). */
  public static String coordinatorGroup(String connector) {
    return coordinatorGroup(Map.of("name", connector));
  }

  /** The consumer group of the commit coordinator of the sink {@code config} sets up ({@code iceberg.connect.group-id}). */
  public static String coordinatorGroup(Map<String, String> config) {
    return config.getOrDefault("iceberg.connect.group-id", "connect-" + config.get("name")) + "-coord";
  }

  /** The control topic of the sink {@code config} sets up. */
  public static String controlTopic(Map<String, String> config) {
    return config.getOrDefault("iceberg.control.topic", CONTROL_TOPIC);
  }

  /** A reader's view of the catalog {@code settings} describe (close it when done). */
  public static Catalog catalog(Map<String, String> settings) {
    return CatalogUtil.buildIcebergCatalog(CATALOG_NAME, settings, null);
  }
}

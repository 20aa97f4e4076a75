package io.marginflow.ops.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.marginflow.connectors.iceberg.IcebergSink;
import io.marginflow.ops.connect.DistributedWorker;
import io.marginflow.ops.connect.Lake;
import io.marginflow.ops.connect.StandaloneWorker;
import io.marginflow.topology.config.Topics;
import io.marginflow.topology.config.MarginflowConfig;
import io.marginflow.topology.query.Json;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.connect.runtime.Connect;
import org.apache.kafka.connect.runtime.Herder;
import org.apache.kafka.connect.runtime.distributed.DistributedHerder;
import org.apache.kafka.connect.runtime.rest.entities.ConnectorInfo;
import org.apache.kafka.connect.runtime.standalone.StandaloneHerder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code marginflow connect}: a Kafka Connect worker in this process with marginflow's connectors (and any other on the
 * class path), for users without a Connect cluster yet: standalone (the demo's), or one worker of a distributed group.
 */
@Command(name = "connect", mixinStandardHelpOptions = true,
    description = {"Run a Kafka Connect worker (standalone, or one of a distributed group with --group-id) with",
        "marginflow's connectors (the power source, the alert webhook sink, the lake's Iceberg sinks) against a cluster.",
        "Each --config is a connector: JSON as Connect's REST API takes it ({\"name\": ...,",
        "\"config\": {...}} or a flat object) or a .properties file as connect-standalone takes it. Ctrl-C stops it."})
final class ConnectCommand implements Callable<Integer> {
  private static final String CATALOG_PREFIX = "iceberg.catalog.";

  @Option(names = "--config", description = "A connector configuration file (repeatable).")
  private List<Path> connectors = new ArrayList<>();

  @Option(names = "--lake", description = "Also write marginflow's history as Iceberg tables into a local lake in this "
      + "folder (margins, alerts, price adjustments, unit costs; README \"Data teams\").")
  private Path lake;

  @Option(names = "--lake-catalog", description = "Write the lake's tables into the Iceberg catalog these properties "
      + "describe instead (type=rest, uri, warehouse, credential, io-impl...; an iceberg.catalog. prefix is allowed): "
      + "connectors/config/lake-catalog-*.properties.")
  private Path lakeCatalog;

  @Option(names = "--lake-commit-interval", defaultValue = "60", description = "Seconds between the lake's commits "
      + "(default: ${DEFAULT-VALUE}): how fresh the tables are, and how many files they get.")
  private long lakeCommitSeconds;

  @Option(names = "--registry-url", defaultValue = "http://localhost:8081", description = "Schema registry of the "
      + "lake's sinks (default: ${DEFAULT-VALUE}).")
  private String registryUrl;

  @Option(names = "--group-id", description = "Join the distributed Connect cluster of this group (tasks shared and "
      + "moved between its workers; settings, offsets and states in topics <group>-configs, -offsets, -status) "
      + "instead of running standalone.")
  private String groupId;

  @Option(names = "--worker", description = "Worker properties (bootstrap.servers, security, offset file...); "
      + "--bootstrap-server and the defaults below fill what it does not set.")
  private Path worker;

  @Option(names = "--bootstrap-server", description = "Kafka bootstrap servers (default: localhost:9092, the demo's).")
  private String bootstrap;

  @Option(names = "--state-dir", defaultValue = "state/connect", description = "Folder of the source offsets file "
      + "(default: ${DEFAULT-VALUE}).")
  private Path stateDir;

  @Option(names = "--rest-port", defaultValue = "8083", description = "Port of the worker's REST API on loopback "
      + "(default: ${DEFAULT-VALUE}; 0: any free port).")
  private int restPort;

  @Override
  public Integer call() throws Exception {
    String servers = bootstrap == null ? "localhost:9092" : bootstrap;
    String listeners = "http://127.0.0.1:" + restPort;
    Map<String, String> w = groupId == null ? StandaloneWorker.settings(servers, stateDir.resolve("connect.offsets"),
        listeners) : DistributedWorker.settings(servers, groupId, listeners);
    if (worker != null) {
      w.putAll(MarginflowConfig.readProperties(worker));
    }
    if (bootstrap != null) {
      w.put("bootstrap.servers", bootstrap);
    }
    List<Map<String, String>> configs = configs(Lake.kafkaClient(w));
    Connect<? extends Herder> connect = groupId == null ? StandaloneWorker.start(w) : DistributedWorker.start(w);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      connect.stop();
      connect.awaitStop();
      stopped.countDown();
    }, "marginflow-connect-shutdown"));
    for (Map<String, String> c : configs) {
      submit(connect, c);
    }
    if (lake != null) {
      System.out.printf("lake: %s (catalog %s)%n", lake.toAbsolutePath(), IcebergSink.localCatalog(lake).get("uri"));
    } else if (lakeCatalog != null) {
      System.out.printf("lake: the catalog of %s%n", lakeCatalog);
    }
    stopped.await();
    return 0;
  }

  /**
   * The connectors to run: each --config file, and the lake's sinks. The control topic, the namespace and each Iceberg
   * sink's coordinator anchor are made first, with the worker's brokers and security ({@code kafka}).
   */
  private List<Map<String, String>> configs(Map<String, String> kafka) throws Exception {
    if (connectors.isEmpty() && lake == null && lakeCatalog == null) {
      throw new ConfigException("--config", null, "give at least one connector file, or --lake or --lake-catalog");
    }
    if (lake != null && lakeCatalog != null) {
      throw new ConfigException("--lake-catalog", lakeCatalog.toString(), "either a local lake (--lake) or a catalog");
    }
    List<Map<String, String>> configs = new ArrayList<>();
    for (Path file : connectors) {
      configs.add(connectorConfig(file));
    }
    List<Map<String, String>> icebergSinks = configs.stream()
        .filter(c -> IcebergSink.CONNECTOR_CLASS.equals(c.get("connector.class"))).toList();
    if (lake == null && lakeCatalog == null && icebergSinks.isEmpty()) {
      return configs;
    }
    try (Admin admin = Admin.create(new HashMap<String, Object>(kafka))) {
      for (Map<String, String> sink : icebergSinks) {
        Lake.anchor(admin, sink);
      }
      if (lake != null || lakeCatalog != null) {
        Map<String, String> catalog = lake != null ? IcebergSink.localCatalog(lake) : catalogSettings(lakeCatalog);
        Lake.prepare(admin, catalog);
        configs.addAll(Lake.sinks(Topics.catalog(MarginflowConfig.of(Map.of())), kafka, registryUrl, catalog,
            lakeCommitSeconds * 1000));
      }
    }
    return configs;
  }

  /** Starts {@code c} on a standalone worker, or submits it to the group through a distributed one's REST API. */
  @SuppressWarnings("unchecked")
  private void submit(Connect<? extends Herder> connect, Map<String, String> c) throws Exception {
    if (groupId == null) {
      ConnectorInfo info = StandaloneWorker.startConnector((Connect<StandaloneHerder>) connect, c);
      System.out.printf("connector %s running (%s), %d task(s); REST API %s%n", info.name(), c.get("connector.class"),
          info.tasks().size(), connect.rest().advertisedUrl());
    } else {
      DistributedWorker.putConnector((Connect<DistributedHerder>) connect, c, Duration.ofMinutes(2));
      System.out.printf("connector %s submitted to group %s (%s); REST API %s%n", c.get("name"), groupId,
          c.get("connector.class"), connect.rest().advertisedUrl());
    }
  }

  /** Iceberg catalog settings from a properties file, without their {@code iceberg.catalog.} prefix if given one. */
  static Map<String, String> catalogSettings(Path file) throws IOException {
    Map<String, String> out = new LinkedHashMap<>();
    MarginflowConfig.readProperties(file).forEach((k, v) -> out.put(k.startsWith(CATALOG_PREFIX)
        ? k.substring(CATALOG_PREFIX.length()) : k, v));
    if (out.get("type") == null && out.get("catalog-impl") == null) {
      throw new ConfigException("--lake-catalog", file.toString(), "a catalog needs a type (rest, jdbc, glue...)");
    }
    return out;
  }

  /** A connector's settings from JSON ({"name", "config"} or flat) or properties; its name is required. */
  static Map<String, String> connectorConfig(Path file) throws IOException {
    Map<String, String> out = new LinkedHashMap<>();
    if (file.getFileName().toString().endsWith(".json")) {
      JsonNode root = Json.MAPPER.readTree(file.toFile());
      if (root == null || !root.isObject()) {
        throw new ConfigException("--config", file.toString(), "a JSON object is expected");
      }
      JsonNode config = root.has("config") ? root.get("config") : root;
      config.properties().forEach(e -> out.put(e.getKey(), e.getValue().isTextual() ? e.getValue().asText()
          : e.getValue().toString()));
      if (root.has("name") && root.has("config")) {
        out.put("name", root.get("name").asText());
      }
    } else {
      out.putAll(MarginflowConfig.readProperties(file));
    }
    if (out.get("name") == null || out.get("name").isBlank() || out.get("connector.class") == null) {
      throw new ConfigException("--config", file.toString(), "a connector needs a name and a connector.class");
    }
    return out;
  }
}

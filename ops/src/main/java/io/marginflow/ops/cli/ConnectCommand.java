package io.marginflow.ops.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.marginflow.ops.connect.StandaloneWorker;
import io.marginflow.topology.config.MarginflowConfig;
import io.marginflow.topology.query.Json;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.connect.runtime.Connect;
import org.apache.kafka.connect.runtime.rest.entities.ConnectorInfo;
import org.apache.kafka.connect.runtime.standalone.StandaloneHerder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code marginflow connect}: a standalone Kafka Connect worker in this process with marginflow's connectors (and any
 * other on the class path), for users without a Connect cluster yet. The same worker the demo runs.
 */
@Command(name = "connect", mixinStandardHelpOptions = true,
    description = {"Run a standalone Kafka Connect worker with the given connectors.",
        "The power source, the alert webhook " +
        "sink) against a cluster. Each --config is a connector: JSON as Connect's REST API takes it ({\"name\": ...,",
        "\"config\": {...}} or a flat object) or a .properties file as connect-standalone takes it. Ctrl-C stops it."})
final class ConnectCommand implements Callable<Integer> {
  @Option(names = "--config", required = true, description = "A connector configuration file (repeatable).")
  private List<Path> connectors = new ArrayList<>();

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
    List<Map<String, String>> configs = new ArrayList<>();
    for (Path file : connectors) {
      configs.add(connectorConfig(file));
    }
    Map<String, String> w = StandaloneWorker.settings(bootstrap == null ? "localhost:9092" : bootstrap,
        stateDir.resolve("connect.offsets"), "http://127.0.0.1:" + restPort);
    if (worker != null) {
      w.putAll(MarginflowConfig.readProperties(worker));
    }
    if (bootstrap != null) {
      w.put("bootstrap.servers", bootstrap);
    }
    Connect<StandaloneHerder> connect = StandaloneWorker.start(w);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      connect.stop();
      connect.awaitStop();
      stopped.countDown();
    }, "marginflow-connect-shutdown"));
    for (Map<String, String> c : configs) {
      ConnectorInfo info = StandaloneWorker.startConnector(connect, c);
      System.out.printf("connector %s running (%s), %d task(s); REST API %s%n", info.name(), c.get("connector.class"),
          info.tasks().size(), connect.rest().advertisedUrl());
    }
    stopped.await();
    return 0;
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

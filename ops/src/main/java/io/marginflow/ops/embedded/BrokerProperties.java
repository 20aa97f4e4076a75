package io.marginflow.ops.embedded;

import java.io.IOException;
import java.io.Writer;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

/**
 * The embedded broker's server.properties: a single KRaft node (broker and controller) with the replication-factor-1
 * settings it needs, an optional SASL_PLAINTEXT listener, and the ports of the previous run kept across a restart.
 */
final class BrokerProperties {
  /** The file in the broker's data folder. */
  static final String FILE = "server.properties";

  private BrokerProperties() {
  }

  /**
   * Writes {@code dataDir}/server.properties and returns its properties: the broker on {@code port} (0: the previous
   * run's port, else a free one), a SASL_PLAINTEXT listener when {@code plainUsers} is not empty, then {@code overrides}.
   */
  static Properties write(Path dataDir, int port, Map<String, String> overrides, Map<String, String> plainUsers)
      throws IOException {
    Path propsFile = dataDir.resolve(FILE);
    // A restart keeps the controller's port (the quorum is configured by it) and, unless told otherwise, the broker's.
    Properties previous = Files.exists(propsFile) ? load(propsFile) : null;
    int controllerPort = previous != null ? portOf(previous, "CONTROLLER") : freePort();
    int brokerPort = port != 0 ? port : previous != null ? portOf(previous, "PLAINTEXT") : freePort();
    Properties props = defaults(dataDir, brokerPort, controllerPort);
    if (!plainUsers.isEmpty()) {
      int saslPort = previous != null && address(previous, "listeners", "SASL_PLAINTEXT") != null
          ? portOf(previous, "SASL_PLAINTEXT") : freePort();
      addSasl(props, saslPort, plainUsers);
    }
    props.putAll(overrides);
    try (Writer w = Files.newBufferedWriter(propsFile)) {
      props.store(w, "embedded marginflow broker");
    }
    return props;
  }

  /** host:port that {@code listener} advertises, or null when there is no such listener. */
  static String advertised(Properties props, String listener) {
    return address(props, "advertised.listeners", listener);
  }

  private static Properties defaults(Path dataDir, int brokerPort, int controllerPort) {
    Properties p = new Properties();
    p.put("process.roles", "broker,controller");
    p.put("node.id", "1");
    p.put("controller.quorum.voters", "1@localhost:" + controllerPort);
    p.put("listeners", "PLAINTEXT://localhost:" + brokerPort + ",CONTROLLER://localhost:" + controllerPort);
    p.put("advertised.listeners", "PLAINTEXT://localhost:" + brokerPort);
    p.put("controller.listener.names", "CONTROLLER");
    p.put("inter.broker.listener.name", "PLAINTEXT");
    p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    p.put("log.dirs", dataDir.resolve("data").toAbsolutePath().toString());
    p.put("num.partitions", "1");
    p.put("default.replication.factor", "1");
    p.put("offsets.topic.replication.factor", "1");
    p.put("offsets.topic.num.partitions", "4");
    p.put("transaction.state.log.replication.factor", "1");
    p.put("transaction.state.log.min.isr", "1");
    p.put("transaction.state.log.num.partitions", "4");
    p.put("share.coordinator.state.topic.replication.factor", "1");
    p.put("share.coordinator.state.topic.min.isr", "1");
    p.put("group.initial.rebalance.delay.ms", "0");
    // The default 128 MiB dedupe buffer is allocated up front and starves a small heap.
    p.put("log.cleaner.dedupe.buffer.size", "2097152");
    p.put("auto.create.topics.enable", "false");
    return p;
  }

  /** A SASL_PLAINTEXT listener on localhost:{@code saslPort}: PLAIN with {@code plainUsers} (user to password). */
  private static void addSasl(Properties props, int saslPort, Map<String, String> plainUsers) {
    props.put("listeners", props.getProperty("listeners") + ",SASL_PLAINTEXT://localhost:" + saslPort);
    props.put("advertised.listeners", props.getProperty("advertised.listeners") + ",SASL_PLAINTEXT://localhost:" + saslPort);
    props.put("listener.security.protocol.map", props.getProperty("listener.security.protocol.map")
        + ",SASL_PLAINTEXT:SASL_PLAINTEXT");
    // PLAIN with the given users; SCRAM-SHA-512 for users created through the Admin API (alterUserScramCredentials).
    props.put("sasl.enabled.mechanisms", "PLAIN,SCRAM-SHA-512");
    props.put("listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config",
        "org.apache.kafka.common.security.scram.ScramLoginModule required;");
    StringBuilder jaas = new StringBuilder("org.apache.kafka.common.security.plain.PlainLoginModule required");
    plainUsers.forEach((user, password) -> jaas.append(" user_").append(user).append("=\"").append(password).append('"'));
    props.put("listener.name.sasl_plaintext.plain.sasl.jaas.config", jaas.append(';').toString());
  }

  private static Properties load(Path file) throws IOException {
    Properties p = new Properties();
    try (var r = Files.newBufferedReader(file)) {
      p.load(r);
    }
    return p;
  }

  /** host:port of {@code listener} in the list of property {@code key} (listeners, advertised.listeners), or null. */
  private static String address(Properties props, String key, String listener) {
    for (String l : props.getProperty(key, "").split(",")) {
      if (l.startsWith(listener + "://")) {
        return l.substring(listener.length() + 3);
      }
    }
    return null;
  }

  private static int portOf(Properties props, String listener) {
    String a = address(props, "listeners", listener);
    if (a == null) {
      throw new IllegalStateException("No " + listener + " listener in the saved broker properties: " + props);
    }
    return Integer.parseInt(a.substring(a.lastIndexOf(':') + 1));
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    }
  }
}

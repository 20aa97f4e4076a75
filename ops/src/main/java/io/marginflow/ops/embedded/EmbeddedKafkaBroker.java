package io.marginflow.ops.embedded;

import java.io.IOException;
import java.io.PrintStream;
import java.io.Writer;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node KRaft Kafka broker (broker and controller roles) in this JVM, from the Apache Kafka
 * server artifacts: the embedded default and the integration tests' broker. Data lives in a given folder
 * and survives a restart; the replication-factor-1 settings a single node needs are applied.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafkaBroker.class);

  private final KafkaRaftServer server;
  private final String bootstrapServers;
  private final String saslBootstrapServers;
  private Thread warmup;

  private EmbeddedKafkaBroker(KafkaRaftServer server, String bootstrapServers, String saslBootstrapServers) {
    this.server = server;
    this.bootstrapServers = bootstrapServers;
    this.saslBootstrapServers = saslBootstrapServers;
  }

  /**
   * Formats {@code dataDir} if it is new, starts the broker on {@code port} (0: a free port) and waits until
   * it answers. Extra broker properties override the defaults.
   */
  public static EmbeddedKafkaBroker start(Path dataDir, int port, Map<String, String> overrides) throws IOException {
    return start(dataDir, port, overrides, Map.of());
  }

  /**
   * As {@link #start(Path, int, Map)}, with a second listener, SASL_PLAINTEXT on a free port of localhost, when
   * {@code plainUsers} is not empty: mechanism PLAIN accepting those users (user name to password), and SCRAM-SHA-512
   * for users created with the Admin API.
   */
  public static EmbeddedKafkaBroker start(Path dataDir, int port, Map<String, String> overrides,
      Map<String, String> plainUsers) throws IOException {
    Files.createDirectories(dataDir);
    Path propsFile = dataDir.resolve("server.properties");
    // A restart keeps the controller's port (the quorum is configured by it) and, unless told otherwise, the broker's.
    Properties previous = Files.exists(propsFile) ? load(propsFile) : null;
    int controllerPort = previous != null ? portOf(previous, "CONTROLLER") : freePort();
    int brokerPort = port != 0 ? port : previous != null ? portOf(previous, "PLAINTEXT") : freePort();
    Properties props = defaults(dataDir, brokerPort, controllerPort);
    if (!plainUsers.isEmpty()) {
      int saslPort = previous != null && address(previous, "listeners", "SASL_PLAINTEXT") != null
          ? portOf(previous, "SASL_PLAINTEXT") : freePort();
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
    props.putAll(overrides);
    try (Writer w = Files.newBufferedWriter(propsFile)) {
      props.store(w, "embedded marginflow broker");
    }
    if (!Files.exists(dataDir.resolve("data").resolve("meta.properties"))) {
      format(propsFile);
    }
    long started = System.nanoTime();
    KafkaRaftServer server = new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
    server.startup();
    // With a SASL listener there are two: clients of this class get the PLAINTEXT one unless they ask for SASL.
    String bootstrap = advertised(props, "PLAINTEXT");
    EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker(server, bootstrap, advertised(props, "SASL_PLAINTEXT"));
    broker.awaitReady(Duration.ofSeconds(60));
    broker.warmCoordinators();
    LOG.info("Embedded Kafka broker up at {} in {} ms (data in {})", bootstrap,
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), dataDir);
    return broker;
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

  private static String advertised(Properties props, String listener) {
    return address(props, "advertised.listeners", listener);
  }

  private static int portOf(Properties props, String listener) {
    String a = address(props, "listeners", listener);
    if (a == null) {
      throw new IllegalStateException("No " + listener + " listener in the saved broker properties: " + props);
    }
    return Integer.parseInt(a.substring(a.lastIndexOf(':') + 1));
  }

  private static void format(Path propsFile) {
    PrintStream quiet = new PrintStream(java.io.OutputStream.nullOutputStream());
    int rc = StorageTool.execute(new String[] {"format", "-t", Uuid.randomUuid().toString(), "-c", propsFile.toString()},
        quiet);
    if (rc != 0) {
      throw new IllegalStateException("Formatting the embedded broker's storage failed with code " + rc);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    }
  }

  private void awaitReady(Duration timeout) {
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
      admin.describeCluster().nodes().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted waiting for the embedded broker", e);
    } catch (ExecutionException | TimeoutException e) {
      close();
      throw new IllegalStateException("Embedded broker did not answer within " + timeout, e);
    }
  }

  /**
   * Has the broker create and load its group and transaction coordinators' topics in the background now, while the
   * caller creates topics and loads data, instead of on the first exactly-once task's initTransactions and the first
   * group join, which otherwise wait for them (about a second of every first start here). A transactional producer's
   * initialisation and a consumer's committed-offsets lookup find the coordinators, which creates their topics.
   */
  private void warmCoordinators() {
    warmup = new Thread(() -> {
      Map<String, Object> common = Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
          CommonClientConfigs.CLIENT_ID_CONFIG, "embedded-broker-warmup");
      Map<String, Object> producer = new java.util.HashMap<>(common);
      producer.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "marginflow-embedded-warmup");
      Map<String, Object> consumer = new java.util.HashMap<>(common);
      consumer.put(ConsumerConfig.GROUP_ID_CONFIG, "marginflow-embedded-warmup");
      try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(consumer, new ByteArrayDeserializer(), new ByteArrayDeserializer());
          KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(producer, new ByteArraySerializer(), new ByteArraySerializer())) {
        c.committed(java.util.Set.of(new org.apache.kafka.common.TopicPartition("marginflow-embedded-warmup", 0)),
            Duration.ofSeconds(30));
        p.initTransactions();
      } catch (RuntimeException e) {
        LOG.debug("Coordinator warm-up did not finish ({}); the first clients will wait for them instead", e.toString());
      }
    }, "embedded-broker-warmup");
    warmup.setDaemon(true);
    warmup.start();
  }

  /** host:port for bootstrap.servers. */
  public String bootstrapServers() {
    return bootstrapServers;
  }

  /** host:port of the SASL_PLAINTEXT (PLAIN) listener, or null when the broker has none. */
  public String saslBootstrapServers() {
    return saslBootstrapServers;
  }

  @Override
  public void close() {
    if (warmup != null && warmup.isAlive()) {
      warmup.interrupt();
    }
    server.shutdown();
    server.awaitShutdown();
    LOG.info("Embedded Kafka broker at {} stopped", bootstrapServers);
  }
}

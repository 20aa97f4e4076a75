package io.marginflow.ops.embedded;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
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
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node KRaft Kafka broker (broker and controller roles) in this JVM, from the Apache Kafka
 * server artifacts: the embedded default and the integration tests' broker. Data lives in a given folder
 * and survives a restart; the replication-factor-1 settings a single node needs are applied ({@link BrokerProperties}),
 * and the coordinators are warmed up in the background ({@link CoordinatorWarmup}).
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
    Properties props = BrokerProperties.write(dataDir, port, overrides, plainUsers);
    if (!Files.exists(dataDir.resolve("data").resolve("meta.properties"))) {
      format(dataDir.resolve(BrokerProperties.FILE));
    }
    long started = System.nanoTime();
    KafkaRaftServer server = new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
    server.startup();
    // With a SASL listener there are two: clients of this class get the PLAINTEXT one unless they ask for SASL.
    String bootstrap = BrokerProperties.advertised(props, "PLAINTEXT");
    EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker(server, bootstrap, BrokerProperties.advertised(props, "SASL_PLAINTEXT"));
    broker.awaitReady(Duration.ofSeconds(60));
    broker.warmup = CoordinatorWarmup.start(bootstrap);
    LOG.info("Embedded Kafka broker up at {} in {} ms (data in {})", bootstrap,
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), dataDir);
    return broker;
  }

  private static void format(Path propsFile) {
    PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
    int rc = StorageTool.execute(new String[] {"format", "-t", Uuid.randomUuid().toString(), "-c", propsFile.toString()},
        quiet);
    if (rc != 0) {
      throw new IllegalStateException("Formatting the embedded broker's storage failed with code " + rc);
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

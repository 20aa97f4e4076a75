package io.marginflow.ops.embedded;

import io.marginflow.registry.server.EmbeddedSchemaRegistry;
import io.marginflow.registry.store.SchemaStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The single-machine default: an embedded KRaft broker and an embedded schema registry whose schemas are
 * journaled next to the broker's data, so schema ids stay valid for the records kept across restarts.
 */
public final class EmbeddedStack implements AutoCloseable {
  private final EmbeddedKafkaBroker broker;
  private final EmbeddedSchemaRegistry registry;

  private EmbeddedStack(EmbeddedKafkaBroker broker, EmbeddedSchemaRegistry registry) {
    this.broker = broker;
    this.registry = registry;
  }

  /** Starts both on {@code dir}; ports 0 pick free ports. */
  public static EmbeddedStack start(Path dir, int kafkaPort, int registryPort) throws IOException {
    return start(dir, kafkaPort, registryPort, Map.of());
  }

  /** Starts both on {@code dir}, with broker properties that override the defaults. */
  public static EmbeddedStack start(Path dir, int kafkaPort, int registryPort, Map<String, String> brokerOverrides)
      throws IOException {
    Files.createDirectories(dir);
    EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.start("127.0.0.1", registryPort,
        new SchemaStore(dir.resolve("schemas.journal")));
    try {
      return new EmbeddedStack(EmbeddedKafkaBroker.start(dir.resolve("kafka"), kafkaPort, brokerOverrides), registry);
    } catch (IOException | RuntimeException e) {
      registry.close();
      throw e;
    }
  }

  public String bootstrapServers() {
    return broker.bootstrapServers();
  }

  public String registryUrl() {
    return registry.url();
  }

  @Override
  public void close() {
    try {
      broker.close();
    } finally {
      registry.close();
    }
  }
}

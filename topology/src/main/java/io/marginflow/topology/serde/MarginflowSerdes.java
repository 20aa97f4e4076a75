package io.marginflow.topology.serde;

import io.marginflow.registry.CachingSchemaRegistryClient;
import io.marginflow.registry.SchemaRegistryClients;
import io.marginflow.serde.ConfluentAvroSerde;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;

/**
 * The serdes of one application instance: Confluent-wire Avro over one shared (caching, thread-safe) registry
 * client, one serde per record type. Built once by the app and passed to the topology builder; never static.
 */
public final class MarginflowSerdes {
  private final CachingSchemaRegistryClient client;
  private final Map<String, ?> config;
  private final Map<Class<?>, ConfluentAvroSerde<?>> values = new ConcurrentHashMap<>();

  public MarginflowSerdes(Map<String, ?> registryConfig) {
    this.client = SchemaRegistryClients.create(registryConfig);
    this.config = Map.copyOf(registryConfig);
  }

  /** The value serde for {@code type}. */
  @SuppressWarnings("unchecked")
  public <T extends SpecificRecord> Serde<T> value(Class<T> type) {
    return (Serde<T>) values.computeIfAbsent(type, t -> new ConfluentAvroSerde<>(type, client, config, false));
  }
}

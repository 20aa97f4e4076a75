package io.marginflow.serde;

import io.marginflow.registry.CachingSchemaRegistryClient;
import io.marginflow.registry.SchemaRegistryClients;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/** A Kafka (Streams) {@link Serde} for one SpecificRecord type in Confluent's wire format. Thread-safe. */
public final class ConfluentAvroSerde<T extends SpecificRecord> implements Serde<T> {
  private final ConfluentAvroSerializer<T> serializer;
  private final ConfluentAvroDeserializer<T> deserializer;

  /** For configuration through {@link #configure} (e.g. by class name in a Kafka config). */
  public ConfluentAvroSerde(Class<T> type) {
    this.serializer = new ConfluentAvroSerializer<>();
    this.deserializer = new ConfluentAvroDeserializer<>(type);
  }

  /** Ready to use, over a shared client. */
  public ConfluentAvroSerde(Class<T> type, CachingSchemaRegistryClient client, Map<String, ?> configs, boolean isKey) {
    this.serializer = new ConfluentAvroSerializer<>(client, AvroSerdeConfig.from(configs, isKey), isKey);
    this.deserializer = new ConfluentAvroDeserializer<>(type, client);
  }

  @Override
  public void configure(Map<String, ?> configs, boolean isKey) {
    CachingSchemaRegistryClient client = SchemaRegistryClients.create(configs);
    serializer.configure(configs, isKey, client);
    deserializer.useClient(client);
  }

  @Override
  public Serializer<T> serializer() {
    return serializer;
  }

  @Override
  public Deserializer<T> deserializer() {
    return deserializer;
  }
}

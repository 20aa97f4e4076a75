package io.marginflow.serde;

import io.marginflow.registry.CachingSchemaRegistryClient;
import io.marginflow.registry.SchemaRegistryClients;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads Confluent-framed Avro into a SpecificRecord class, resolving the writer's schema (fetched by id, once)
 * against the class's schema, so records written with older or newer compatible schemas read correctly.
 */
public final class ConfluentAvroDeserializer<T extends SpecificRecord> implements Deserializer<T> {
  private final Class<T> type;
  private final Schema readerSchema;
  private final SpecificData data;
  private final Map<Integer, SpecificDatumReader<T>> readers = new ConcurrentHashMap<>();
  private CachingSchemaRegistryClient client;

  public ConfluentAvroDeserializer(Class<T> type) {
    this(type, null);
  }

  public ConfluentAvroDeserializer(Class<T> type, CachingSchemaRegistryClient client) {
    TrustedAvroTypes.trustPackageOf(type);
    this.type = type;
    this.data = SpecificData.getForClass(type);
    this.readerSchema = data.getSchema(type);
    this.client = client;
  }

  @Override
  public void configure(Map<String, ?> configs, boolean isKey) {
    if (client == null) {
      this.client = SchemaRegistryClients.create(configs);
    }
  }

  void useClient(CachingSchemaRegistryClient registry) {
    this.client = registry;
  }

  @Override
  public T deserialize(String topic, byte[] payload) {
    if (payload == null) {
      return null;
    }
    if (client == null) {
      throw new IllegalStateException("ConfluentAvroDeserializer used before configure()");
    }
    ByteBuffer buffer = ByteBuffer.wrap(payload);
    int id = WireFormat.readSchemaId(buffer);
    try {
      SpecificDatumReader<T> reader = readers.computeIfAbsent(id, this::readerFor);
      int start = buffer.position();
      return reader.read(null, DecoderFactory.get().binaryDecoder(payload, start, payload.length - start, null));
    } catch (IOException | RuntimeException e) {
      throw new SerializationException("Cannot deserialize " + type.getSimpleName() + " (schema id " + id
          + ") from topic " + topic + ": " + e, e);
    }
  }

  /** Reads one long field of this deserializer's payloads without decoding them, where the writer's schema allows. */
  public LongFieldReader longField(String field) {
    return new LongFieldReader(field, id -> client.getById(id));
  }

  private SpecificDatumReader<T> readerFor(int id) {
    Schema writer = client.getById(id);
    return new SpecificDatumReader<>(writer, readerSchema, data);
  }
}

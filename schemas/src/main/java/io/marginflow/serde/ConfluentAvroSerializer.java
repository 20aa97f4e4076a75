package io.marginflow.serde;

import io.marginflow.registry.CachingSchemaRegistryClient;
import io.marginflow.registry.SchemaRegistryClients;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serializer;

/** Writes SpecificRecords in Confluent's wire format, registering (or looking up) the schema once per subject. */
public final class ConfluentAvroSerializer<T extends SpecificRecord> implements Serializer<T> {
  private final Map<Schema, SpecificDatumWriter<T>> writers = new ConcurrentHashMap<>();
  private final Map<TopicSchema, Integer> ids = new ConcurrentHashMap<>();
  private CachingSchemaRegistryClient client;
  private AvroSerdeConfig config;
  private boolean isKey;

  /** For configuration through {@link #configure}. */
  public ConfluentAvroSerializer() {
  }

  public ConfluentAvroSerializer(CachingSchemaRegistryClient client, AvroSerdeConfig config, boolean isKey) {
    this.client = client;
    this.config = config;
    this.isKey = isKey;
  }

  @Override
  public void configure(Map<String, ?> configs, boolean isKey) {
    configure(configs, isKey, client == null ? SchemaRegistryClients.create(configs) : client);
  }

  void configure(Map<String, ?> configs, boolean isKey, CachingSchemaRegistryClient registry) {
    this.isKey = isKey;
    this.config = AvroSerdeConfig.from(configs, isKey);
    this.client = registry;
  }

  @Override
  public byte[] serialize(String topic, T data) {
    if (data == null) {
      return null;
    }
    if (client == null) {
      throw new IllegalStateException("ConfluentAvroSerializer used before configure()");
    }
    Schema schema = data.getSchema();
    try {
      // Keyed by topic and schema (both cache their hash codes): no subject name is built per record.
      int id = ids.computeIfAbsent(new TopicSchema(topic, schema),
          k -> schemaId(config.strategy().subject(topic, isKey, schema), schema));
      ByteArrayOutputStream out = new ByteArrayOutputStream(128);
      out.write(ByteBuffer.allocate(WireFormat.HEADER_SIZE).put(WireFormat.MAGIC_BYTE).putInt(id).array());
      BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
      writer(schema, data.getClass()).write(data, encoder);
      encoder.flush();
      return out.toByteArray();
    } catch (IOException | RuntimeException e) {
      throw new SerializationException("Cannot serialize " + schema.getFullName() + " for topic " + topic
          + " (subject " + config.strategy().subject(topic, isKey, schema) + "): " + e.getMessage(), e);
    }
  }

  /** Cache key; Schema caches its hash code, so no per-record schema rendering. The subject follows from both. */
  private record TopicSchema(String topic, Schema schema) {
  }

  private int schemaId(String subject, Schema schema) {
    if (config.useLatestVersion()) {
      return client.latest(subject).id();
    }
    return config.autoRegister() ? client.register(subject, schema) : client.idOf(subject, schema);
  }

  private SpecificDatumWriter<T> writer(Schema schema, Class<?> type) {
    return writers.computeIfAbsent(schema, s -> {
      TrustedAvroTypes.trustPackageOf(type);
      return new SpecificDatumWriter<>(s);
    });
  }
}

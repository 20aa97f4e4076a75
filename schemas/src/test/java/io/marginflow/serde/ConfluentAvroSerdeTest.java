package io.marginflow.serde;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.marginflow.avro.TokenUsage;
import io.marginflow.registry.CachingSchemaRegistryClient;
import io.marginflow.registry.InMemorySchemaRegistryClient;
import io.marginflow.registry.RegisteredSchema;
import io.marginflow.registry.RegistryClientConfig;
import io.marginflow.registry.SchemaRegistryClient;
import io.marginflow.registry.SchemaRegistryClients;
import io.marginflow.registry.store.SchemaStore;
import io.marginflow.schemas.SampleRecords;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ConfluentAvroSerdeTest {
  private static final String SCOPE = "serde-test";
  private static final Map<String, String> CONFIG = Map.of(RegistryClientConfig.URL, "mock://" + SCOPE);

  @AfterEach
  void dropScope() {
    SchemaRegistryClients.dropMockScope(SCOPE);
  }

  @SuppressWarnings("unchecked")
  private static <T extends SpecificRecord> ConfluentAvroSerde<T> serdeFor(T record) {
    ConfluentAvroSerde<T> serde = new ConfluentAvroSerde<>((Class<T>) record.getClass());
    serde.configure(CONFIG, false);
    return serde;
  }

  @Test
  void shouldRoundTripEveryRecordType() {
    for (SpecificRecord record : SampleRecords.all()) {
      ConfluentAvroSerde<SpecificRecord> serde = serdeFor(record);
      byte[] bytes = serde.serializer().serialize("topic-" + record.getSchema().getName(), record);
      assertEquals(record, serde.deserializer().deserialize("topic-" + record.getSchema().getName(), bytes),
          record.getSchema().getName());
    }
  }

  @Test
  void shouldFrameWithMagicByteAndTheRegisteredId() {
    TokenUsage usage = SampleRecords.tokenUsage();
    byte[] bytes = serdeFor(usage).serializer().serialize("usage.tokens.v1", usage);
    assertEquals(0, bytes[0]);
    RegisteredSchema registered = SchemaRegistryClients.mockStore(SCOPE).version("usage.tokens.v1-value", -1);
    assertEquals(registered.id(), ByteBuffer.wrap(bytes, 1, 4).getInt());
    assertEquals(TokenUsage.getClassSchema(), registered.schema());
  }

  @Test
  void shouldReadDataWrittenWithAnOlderSchemaVersion() throws IOException {
    Schema current = TokenUsage.getClassSchema();
    java.util.List<Schema.Field> kept = new java.util.ArrayList<>();
    for (Schema.Field f : current.getFields().subList(0, 9)) {
      kept.add(new Schema.Field(f, f.schema()));
    }
    Schema older = Schema.createRecord(current.getName(), current.getDoc(), current.getNamespace(), false, kept);
    assertEquals(9, older.getFields().size(), "test fixture must drop the two optional fields");
    int id = SchemaRegistryClients.mockStore(SCOPE).register("usage.tokens.v1-value", older).id();
    GenericRecord old = new GenericData.Record(older);
    old.put("event_id", "e");
    old.put("timestamp_ms", 1_700_000_000_000L);
    old.put("tenant_id", "t");
    old.put("model", "m");
    old.put("region", "r");
    old.put("node_id", "n");
    old.put("input_tokens", 10L);
    old.put("cached_input_tokens", 0L);
    old.put("output_tokens", 5L);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(0);
    out.write(ByteBuffer.allocate(4).putInt(id).array());
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
    new GenericDatumWriter<GenericRecord>(older).write(old, encoder);
    encoder.flush();

    TokenUsage read = serdeFor(SampleRecords.tokenUsage()).deserializer().deserialize("usage.tokens.v1", out.toByteArray());
    assertEquals("e", read.getEventId());
    assertEquals(5L, read.getOutputTokens());
    assertNull(read.getApiKeyId());
  }

  @Test
  void shouldRejectPayloadsThatAreNotWireFormat() {
    ConfluentAvroSerde<TokenUsage> serde = serdeFor(SampleRecords.tokenUsage());
    SerializationException magic = assertThrows(SerializationException.class,
        () -> serde.deserializer().deserialize("t", new byte[] {1, 0, 0, 0, 1, 2}));
    assertTrue(magic.getMessage().contains("magic byte"), magic.getMessage());
    assertThrows(SerializationException.class, () -> serde.deserializer().deserialize("t", new byte[] {0, 1}));
    byte[] good = serde.serializer().serialize("t", SampleRecords.tokenUsage());
    byte[] truncated = java.util.Arrays.copyOf(good, good.length - 4);
    assertThrows(SerializationException.class, () -> serde.deserializer().deserialize("t", truncated));
    assertNull(serde.deserializer().deserialize("t", null));
    assertArrayEquals(null, serde.serializer().serialize("t", null));
  }

  @Test
  void shouldAskTheRegistryOncePerSchemaNotPerRecord() {
    AtomicInteger registers = new AtomicInteger();
    AtomicInteger fetches = new AtomicInteger();
    SchemaRegistryClient inner = new InMemorySchemaRegistryClient(new SchemaStore());
    SchemaRegistryClient counting = new SchemaRegistryClient() {
      @Override
      public int register(String subject, Schema schema) {
        registers.incrementAndGet();
        return inner.register(subject, schema);
      }

      @Override
      public RegisteredSchema lookup(String subject, Schema schema) {
        return inner.lookup(subject, schema);
      }

      @Override
      public Schema getById(int id) {
        fetches.incrementAndGet();
        return inner.getById(id);
      }

      @Override
      public RegisteredSchema latest(String subject) {
        return inner.latest(subject);
      }

      @Override
      public boolean isCompatible(String subject, Schema schema) {
        return inner.isCompatible(subject, schema);
      }
    };
    CachingSchemaRegistryClient client = new CachingSchemaRegistryClient(counting);
    ConfluentAvroSerde<TokenUsage> writer = new ConfluentAvroSerde<>(TokenUsage.class, client, Map.of(), false);
    ConfluentAvroSerde<TokenUsage> reader = new ConfluentAvroSerde<>(TokenUsage.class,
        new CachingSchemaRegistryClient(counting), Map.of(), false);
    for (int i = 0; i < 500; i++) {
      byte[] bytes = writer.serializer().serialize("u", SampleRecords.tokenUsage());
      reader.deserializer().deserialize("u", bytes);
    }
    assertEquals(1, registers.get());
    assertEquals(1, fetches.get());
  }

  @Test
  void shouldNotRegisterWhenAutoRegisterIsOff() {
    ConfluentAvroSerde<TokenUsage> serde = new ConfluentAvroSerde<>(TokenUsage.class);
    serde.configure(Map.of(RegistryClientConfig.URL, "mock://" + SCOPE, AvroSerdeConfig.AUTO_REGISTER, "false"), false);
    SerializationException e = assertThrows(SerializationException.class,
        () -> serde.serializer().serialize("unregistered", SampleRecords.tokenUsage()));
    assertTrue(e.getMessage().contains("not found"), e.getMessage());
  }
}

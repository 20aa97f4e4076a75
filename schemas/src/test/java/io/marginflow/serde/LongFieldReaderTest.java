package io.marginflow.serde;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.marginflow.avro.PowerSample;
import io.marginflow.avro.TokenUsage;
import io.marginflow.registry.InMemorySchemaRegistryClient;
import io.marginflow.registry.CachingSchemaRegistryClient;
import io.marginflow.registry.store.SchemaStore;
import io.marginflow.schemas.SampleRecords;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

/** The event time read from the bytes equals the decoded record's, for every layout the reader accepts. */
class LongFieldReaderTest {
  private final CachingSchemaRegistryClient client = new CachingSchemaRegistryClient(
      new InMemorySchemaRegistryClient(new SchemaStore()));

  private <T extends org.apache.avro.specific.SpecificRecord> ConfluentAvroSerde<T> serde(Class<T> type) {
    return new ConfluentAvroSerde<>(type, client, Map.of(AvroSerdeConfig.AUTO_REGISTER, "true"), false);
  }

  @Test
  void shouldReadTheEventTimeOfUsageAfterItsLeadingString() {
    ConfluentAvroSerde<TokenUsage> serde = serde(TokenUsage.class);
    for (long ts : new long[] {946_684_800_001L, 1_767_607_200_000L, Long.MAX_VALUE / 2}) {
      for (String id : new String[] {"", "e", "x".repeat(300), "\u00e9v\u00e9nement-\u4e8b\u4ef6"}) {
        TokenUsage u = TokenUsage.newBuilder(SampleRecords.tokenUsage()).setEventId(id)
            .setTimestampMs(Instant.ofEpochMilli(ts)).build();
        byte[] bytes = serde.serializer().serialize("usage", u);
        assertEquals(ts, ((ConfluentAvroDeserializer<TokenUsage>) serde.deserializer()).longField("timestamp_ms").read(bytes));
      }
    }
  }

  @Test
  void shouldReadTheFirstFieldOfPower() {
    ConfluentAvroSerde<PowerSample> serde = serde(PowerSample.class);
    byte[] bytes = serde.serializer().serialize("power", SampleRecords.powerSample());
    assertEquals(SampleRecords.powerSample().getTimestampMs().toEpochMilli(),
        ((ConfluentAvroDeserializer<PowerSample>) serde.deserializer()).longField("timestamp_ms").read(bytes));
  }

  @Test
  void shouldDeclineWriterSchemasItCannotSkip() {
    // A union before the field: its layout depends on the branch, so the caller decodes the record instead.
    Schema writer = SchemaBuilder.record("TokenUsage").namespace("io.marginflow.avro").fields()
        .optionalString("note").requiredLong("timestamp_ms").endRecord();
    GenericRecord r = new GenericData.Record(writer);
    r.put("note", "n");
    r.put("timestamp_ms", 5L);
    int id = client.register("other-value", writer);
    LongFieldReader reader = new LongFieldReader("timestamp_ms", client::getById);
    assertNull(reader.read(framed(id, writer, r)));
    assertEquals(0, LongFieldReader.plan(writer, "missing").length);
  }

  @Test
  void shouldSkipEveryFixedLayoutPrimitive() throws Exception {
    Schema writer = SchemaBuilder.record("R").fields().requiredInt("i").requiredLong("l").requiredBoolean("b")
        .requiredFloat("f").requiredDouble("d").requiredBytes("y").requiredString("s").requiredLong("t").endRecord();
    GenericRecord r = new GenericData.Record(writer);
    r.put("i", -7);
    r.put("l", -123_456_789_012L);
    r.put("b", true);
    r.put("f", 1.5f);
    r.put("d", -2.25);
    r.put("y", ByteBuffer.wrap(new byte[] {1, 2, 3}));
    r.put("s", "str");
    r.put("t", -42L);
    int id = client.register("r-value", writer);
    assertEquals(-42L, new LongFieldReader("t", client::getById).read(framed(id, writer, r)));
  }

  @Test
  void shouldRefuseTruncatedPayloads() {
    ConfluentAvroSerde<TokenUsage> serde = serde(TokenUsage.class);
    byte[] bytes = serde.serializer().serialize("usage", SampleRecords.tokenUsage());
    LongFieldReader reader = ((ConfluentAvroDeserializer<TokenUsage>) serde.deserializer()).longField("timestamp_ms");
    assertThrows(SerializationException.class, () -> reader.read(Arrays.copyOf(bytes, 7)));
    assertThrows(SerializationException.class, () -> reader.read(new byte[] {0, 0}));
  }

  private static byte[] framed(int id, Schema schema, GenericRecord r) {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      out.write(0);
      out.write(ByteBuffer.allocate(4).putInt(id).array());
      BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
      new GenericDatumWriter<GenericRecord>(schema).write(r, encoder);
      encoder.flush();
      return out.toByteArray();
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }
}

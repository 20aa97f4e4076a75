package io.marginflow.connectors.iceberg;

import io.marginflow.registry.CachingSchemaRegistryClient;
import io.marginflow.registry.SchemaRegistryClients;
import io.marginflow.serde.WireFormat;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Date;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Conversions;
import org.apache.avro.LogicalTypes;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DecoderFactory;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.data.Timestamp;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.storage.Converter;

/**
 * Reads Confluent-wire Avro values into Connect Structs, for sinks that need a schema (the Iceberg sink): the writer's
 * schema by its id from the registry ({@code schema.registry.url} among the converter's settings), decimals as
 * Connect {@code Decimal} (exact, with the Avro scale), timestamp-millis as Connect {@code Timestamp}, {@code ["null",
 * X]} unions as optional fields. A field added to the schema arrives as a new optional field. Read only: marginflow's
 * connectors write with their own serializers.
 */
public final class ConfluentAvroConverter implements Converter {
  private static final GenericData DATA = new GenericData();

  static {
    DATA.addLogicalTypeConversion(new Conversions.DecimalConversion());
    DATA.addLogicalTypeConversion(new org.apache.avro.data.TimeConversions.TimestampMillisConversion());
  }

  private final Map<Integer, Reader> readers = new ConcurrentHashMap<>();
  private CachingSchemaRegistryClient registry;

  private record Reader(GenericDatumReader<GenericRecord> avro, Schema connect) {
  }

  @Override
  public void configure(Map<String, ?> configs, boolean isKey) {
    registry = SchemaRegistryClients.create(configs);
  }

  @Override
  public byte[] fromConnectData(String topic, Schema schema, Object value) {
    throw new UnsupportedOperationException("ConfluentAvroConverter only reads");
  }

  @Override
  public SchemaAndValue toConnectData(String topic, byte[] value) {
    if (value == null) {
      return SchemaAndValue.NULL;
    }
    try {
      ByteBuffer buffer = ByteBuffer.wrap(value);
      int id = WireFormat.readSchemaId(buffer);
      Reader reader = readers.computeIfAbsent(id, this::reader);
      int start = buffer.position();
      GenericRecord record = reader.avro().read(null, DecoderFactory.get().binaryDecoder(value, start, value.length - start,
          null));
      return new SchemaAndValue(reader.connect(), struct(record, reader.connect()));
    } catch (IOException | RuntimeException e) {
      throw new DataException("Cannot read Confluent-wire Avro from " + topic + ": " + e, e);
    }
  }

  private Reader reader(int id) {
    org.apache.avro.Schema writer = registry.getById(id);
    return new Reader(new GenericDatumReader<>(writer, writer, DATA), connectSchema(writer));
  }

  /** The Connect schema of an Avro record schema (flat records of primitives and logical types). */
  static Schema connectSchema(org.apache.avro.Schema avro) {
    SchemaBuilder b = SchemaBuilder.struct().name(avro.getFullName());
    for (org.apache.avro.Schema.Field f : avro.getFields()) {
      org.apache.avro.Schema s = f.schema();
      boolean optional = s.getType() == org.apache.avro.Schema.Type.UNION;
      if (optional) {
        s = s.getTypes().stream().filter(t -> t.getType() != org.apache.avro.Schema.Type.NULL).findFirst().orElseThrow();
      }
      SchemaBuilder field = field(f.name(), s);
      b.field(f.name(), optional ? field.optional().build() : field.build());
    }
    return b.build();
  }

  private static SchemaBuilder field(String name, org.apache.avro.Schema s) {
    if (s.getLogicalType() instanceof LogicalTypes.Decimal d) {
      return Decimal.builder(d.getScale());
    }
    if (s.getLogicalType() instanceof LogicalTypes.TimestampMillis) {
      return Timestamp.builder();
    }
    return switch (s.getType()) {
      case STRING, ENUM -> SchemaBuilder.string();
      case LONG -> SchemaBuilder.int64();
      case INT -> SchemaBuilder.int32();
      case DOUBLE -> SchemaBuilder.float64();
      case FLOAT -> SchemaBuilder.float32();
      case BOOLEAN -> SchemaBuilder.bool();
      default -> throw new DataException("Field " + name + ": Avro " + s.getType() + " has no column type here");
    };
  }

  private static Struct struct(GenericRecord record, Schema schema) {
    Struct out = new Struct(schema);
    for (org.apache.kafka.connect.data.Field f : schema.fields()) {
      Object v = record.get(f.name());
      if (v instanceof Instant i) {
        v = Date.from(i);
      } else if (v instanceof CharSequence || v instanceof GenericData.EnumSymbol) {
        v = v.toString();
      }
      out.put(f, v);
    }
    return out;
  }
}

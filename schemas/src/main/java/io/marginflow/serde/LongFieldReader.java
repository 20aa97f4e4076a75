package io.marginflow.serde;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntFunction;
import org.apache.avro.Schema;
import org.apache.kafka.common.errors.SerializationException;

/**
 * Reads one {@code long} field (such as an event time) of a Confluent-framed Avro record without decoding the record:
 * when every field before it in the writer's schema is a fixed-layout primitive (string, bytes, int, long, boolean,
 * float, double), it skips them on the bytes. For any other writer schema it says so ({@link #plan}), and the caller
 * decodes the whole record instead. Plans are cached per schema id; thread-safe.
 */
public final class LongFieldReader {
  private final String field;
  private final IntFunction<Schema> writerSchemas;
  private final Map<Integer, byte[]> plans = new ConcurrentHashMap<>();
  private static final byte[] NONE = new byte[0];
  private static final byte VARINT = 1;
  private static final byte LENGTH_PREFIXED = 2;
  private static final byte ONE_BYTE = 3;
  private static final byte FOUR_BYTES = 4;
  private static final byte EIGHT_BYTES = 5;

  public LongFieldReader(String field, IntFunction<Schema> writerSchemas) {
    this.field = field;
    this.writerSchemas = writerSchemas;
  }

  /** The field's value, or {@code null} when the writer's schema does not allow skipping to it. */
  public Long read(byte[] payload) {
    int id = WireFormat.schemaId(payload);
    byte[] plan = plans.computeIfAbsent(id, i -> plan(writerSchemas.apply(i), field));
    if (plan == NONE) {
      return null;
    }
    int[] pos = {WireFormat.HEADER_SIZE};
    for (byte op : plan) {
      switch (op) {
        case VARINT -> readVarLong(payload, pos);
        case LENGTH_PREFIXED -> {
          int length = checkedLength(readVarLong(payload, pos), payload, pos[0]);
          pos[0] += length;
        }
        case ONE_BYTE -> pos[0] += 1;
        case FOUR_BYTES -> pos[0] += 4;
        case EIGHT_BYTES -> pos[0] += 8;
        default -> throw new IllegalStateException("unknown op " + op);
      }
    }
    return readVarLong(payload, pos);
  }

  /** The skip operations before {@code field}, or {@link #NONE} when one of them is not a fixed-layout primitive. */
  static byte[] plan(Schema writer, String field) {
    if (writer.getType() != Schema.Type.RECORD || writer.getField(field) == null
        || writer.getField(field).schema().getType() != Schema.Type.LONG) {
      return NONE;
    }
    List<Byte> ops = new ArrayList<>();
    for (Schema.Field f : writer.getFields()) {
      if (f.name().equals(field)) {
        byte[] plan = new byte[ops.size()];
        for (int i = 0; i < plan.length; i++) {
          plan[i] = ops.get(i);
        }
        return plan;
      }
      byte op = switch (f.schema().getType()) {
        case INT, LONG -> VARINT;
        case STRING, BYTES -> LENGTH_PREFIXED;
        case BOOLEAN -> ONE_BYTE;
        case FLOAT -> FOUR_BYTES;
        case DOUBLE -> EIGHT_BYTES;
        default -> 0;
      };
      if (op == 0) {
        return NONE;
      }
      ops.add(op);
    }
    return NONE;
  }

  private static int checkedLength(long length, byte[] payload, int at) {
    if (length < 0 || at + length > payload.length) {
      throw new SerializationException("Malformed Avro: length " + length + " at byte " + at);
    }
    return (int) length;
  }

  /** Avro's zig-zag variable-length long. */
  private static long readVarLong(byte[] b, int[] pos) {
    long raw = 0;
    int shift = 0;
    while (true) {
      if (pos[0] >= b.length || shift > 63) {
        throw new SerializationException("Malformed Avro: truncated long at byte " + pos[0]);
      }
      int x = b[pos[0]++];
      raw |= (long) (x & 0x7f) << shift;
      if ((x & 0x80) == 0) {
        return (raw >>> 1) ^ -(raw & 1);
      }
      shift += 7;
    }
  }
}

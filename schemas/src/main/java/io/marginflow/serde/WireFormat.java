package io.marginflow.serde;

import java.nio.ByteBuffer;
import org.apache.kafka.common.errors.SerializationException;

/** Confluent's wire format: magic byte 0, 4-byte big-endian schema id, then the Avro binary body. */
public final class WireFormat {
  public static final byte MAGIC_BYTE = 0x0;
  public static final int HEADER_SIZE = 5;

  private WireFormat() {
  }

  /** Reads and checks the header; the buffer is left at the start of the Avro body. */
  public static int readSchemaId(ByteBuffer buffer) {
    if (buffer.remaining() < HEADER_SIZE) {
      throw new SerializationException("Not Confluent wire format: " + buffer.remaining() + " bytes, need at least 5");
    }
    byte magic = buffer.get();
    if (magic != MAGIC_BYTE) {
      throw new SerializationException("Unknown magic byte " + magic + ": not Confluent wire format");
    }
    return buffer.getInt();
  }

  /** The schema id of a framed payload (read in place: the event-time extractor calls this on every record). */
  public static int schemaId(byte[] payload) {
    if (payload.length < HEADER_SIZE) {
      throw new SerializationException("Not Confluent wire format: " + payload.length + " bytes, need at least 5");
    }
    if (payload[0] != MAGIC_BYTE) {
      throw new SerializationException("Unknown magic byte " + payload[0] + ": not Confluent wire format");
    }
    return (payload[1] & 0xff) << 24 | (payload[2] & 0xff) << 16 | (payload[3] & 0xff) << 8 | (payload[4] & 0xff);
  }
}

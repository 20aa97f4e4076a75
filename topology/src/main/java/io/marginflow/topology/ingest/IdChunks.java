package io.marginflow.topology.ingest;

import java.nio.ByteBuffer;

/**
 * The de-duplication chunk format: a format byte (1), then per id 24 bytes: the first 128 bits of its SHA-256 as two
 * longs and its event time. A chunk being filled starts small and doubles up to {@link #MAX_IDS} ids.
 */
final class IdChunks {
  /** At most this many ids per chunk (24 bytes each: 384 KiB, well under a record's 1 MiB); more are written early. */
  static final int MAX_IDS = 16_384;
  private static final int ENTRY_BYTES = 24;
  private static final byte FORMAT = 1;
  private static final int FIRST_IDS = 64;

  /** Receives one id of a chunk read back. */
  @FunctionalInterface
  interface Sink {
    void id(long hi, long lo, long eventTimeMs);
  }

  private IdChunks() {
  }

  static ByteBuffer empty() {
    return ByteBuffer.allocate(1 + FIRST_IDS * ENTRY_BYTES).put(FORMAT);
  }

  /** Whether a full {@code chunk} is as large as a chunk gets (write it, start another). */
  static boolean atLimit(ByteBuffer chunk) {
    return chunk.capacity() - 1 >= MAX_IDS * ENTRY_BYTES;
  }

  /** A chunk twice the size of {@code chunk}, holding what it holds. */
  static ByteBuffer grown(ByteBuffer chunk) {
    return ByteBuffer.allocate(1 + 2 * (chunk.capacity() - 1)).put(chunk.array(), 0, chunk.position());
  }

  /** Empties {@code chunk} (written) for the next ids, keeping its size. */
  static void restart(ByteBuffer chunk) {
    chunk.clear().put(FORMAT);
  }

  static void add(ByteBuffer chunk, long hi, long lo, long eventTimeMs) {
    chunk.putLong(hi).putLong(lo).putLong(eventTimeMs);
  }

  /** What {@code chunk} holds so far, as the store's value. */
  static byte[] bytes(ByteBuffer chunk) {
    byte[] value = new byte[chunk.position()];
    System.arraycopy(chunk.array(), 0, value, 0, value.length);
    return value;
  }

  /** Reads {@code chunk} (null or empty: nothing) into {@code sink}; a chunk of another format fails. */
  static void read(byte[] chunk, Sink sink) {
    if (chunk == null || chunk.length == 0) {
      return;
    }
    if (chunk[0] != FORMAT || (chunk.length - 1) % ENTRY_BYTES != 0) {
      throw new IllegalStateException("de-duplication chunk of unknown format " + chunk[0] + ", " + chunk.length
          + " bytes: written by a newer release?");
    }
    ByteBuffer in = ByteBuffer.wrap(chunk, 1, chunk.length - 1);
    while (in.hasRemaining()) {
      sink.id(in.getLong(), in.getLong(), in.getLong());
    }
  }
}

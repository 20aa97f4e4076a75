package io.marginflow.topology.ingest;

/**
 * A Bloom filter of the event ids kept in one de-duplication bucket: when it says an id is absent, it is, so the
 * store need not be read. It only answers for a bucket whose every kept id it was given (a bucket that began after
 * the task started); a full filter answers "maybe" more often, never wrongly.
 */
final class SeenFilter {
  private static final int HASHES = 5;
  private final long[] bits;
  private final long mask;

  /** A filter of {@code 2^log2Bits} bits. */
  SeenFilter(int log2Bits) {
    this.bits = new long[1 << Math.max(0, log2Bits - 6)];
    this.mask = (1L << log2Bits) - 1;
  }

  void add(String id) {
    for (long bit : positions(id)) {
      bits[(int) (bit >>> 6)] |= 1L << bit;
    }
  }

  boolean mightContain(String id) {
    for (long bit : positions(id)) {
      if ((bits[(int) (bit >>> 6)] & (1L << bit)) == 0) {
        return false;
      }
    }
    return true;
  }

  /** The id's bit positions: double hashing, h1 + i * h2. */
  private long[] positions(String id) {
    long h1 = hash(id, 0x9E3779B97F4A7C15L);
    long h2 = hash(id, 0xC2B2AE3D27D4EB4FL) | 1;
    long[] positions = new long[HASHES];
    for (int i = 0; i < HASHES; i++) {
      positions[i] = (h1 + i * h2) & mask;
    }
    return positions;
  }

  private static long hash(String s, long seed) {
    long h = seed ^ s.length();
    for (int i = 0; i < s.length(); i++) {
      h = (h ^ s.charAt(i)) * 0x100000001B3L;
      h ^= h >>> 29;
    }
    h *= 0xBF58476D1CE4E5B9L;
    return h ^ (h >>> 31);
  }
}

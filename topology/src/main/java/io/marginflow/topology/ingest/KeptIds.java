package io.marginflow.topology.ingest;

/**
 * The kept event ids of one de-duplication bucket: an open-addressing table of 128-bit id digests and their event
 * times, three longs per slot, about 24 to 48 bytes per id. A bucket is one dedup.horizon long, and two kept events of
 * one id are more than a horizon apart, so a bucket holds at most one event per id.
 */
final class KeptIds {
  private static final int SLOT = 3;
  private long[] slots;
  private int mask;
  private int size;

  KeptIds() {
    this.slots = new long[16 * SLOT];
    this.mask = 15;
  }

  /** The event time kept for digest {@code (hi, lo)}, or {@link Long#MIN_VALUE} if none. {@code (hi, lo) != (0, 0)}. */
  long get(long hi, long lo) {
    for (int i = index(hi, lo, mask); ; i = (i + 1) & mask) {
      int at = i * SLOT;
      if (slots[at] == hi && slots[at + 1] == lo) {
        return slots[at + 2];
      }
      if (slots[at] == 0 && slots[at + 1] == 0) {
        return Long.MIN_VALUE;
      }
    }
  }

  /** Keeps digest {@code (hi, lo)} at {@code ts}, replacing an earlier event time of the same digest. */
  void put(long hi, long lo, long ts) {
    if ((size + 1) * 10L > (mask + 1) * 7L) {
      grow();
    }
    if (insert(slots, mask, hi, lo, ts)) {
      size++;
    }
  }

  int size() {
    return size;
  }

  private void grow() {
    int newMask = mask * 2 + 1;
    long[] bigger = new long[(newMask + 1) * SLOT];
    for (int at = 0; at < slots.length; at += SLOT) {
      if (slots[at] != 0 || slots[at + 1] != 0) {
        insert(bigger, newMask, slots[at], slots[at + 1], slots[at + 2]);
      }
    }
    slots = bigger;
    mask = newMask;
  }

  /** Whether the digest was new to {@code table}. */
  private static boolean insert(long[] table, int mask, long hi, long lo, long ts) {
    for (int i = index(hi, lo, mask); ; i = (i + 1) & mask) {
      int at = i * SLOT;
      boolean empty = table[at] == 0 && table[at + 1] == 0;
      if (empty || table[at] == hi && table[at + 1] == lo) {
        table[at] = hi;
        table[at + 1] = lo;
        table[at + 2] = ts;
        return empty;
      }
    }
  }

  /** The digest is a cryptographic hash: its low bits are already uniform. */
  private static int index(long hi, long lo, int mask) {
    return (int) (lo ^ (lo >>> 32)) & mask;
  }
}

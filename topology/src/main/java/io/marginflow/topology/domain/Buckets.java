package io.marginflow.topology.domain;

/** Epoch-aligned time buckets and the finalization rule (SPEC 3). */
public final class Buckets {
  private Buckets() {
  }

  /** Start of the bucket of length {@code lengthMs} holding {@code timestampMs}. */
  public static long start(long timestampMs, long lengthMs) {
    return Math.floorDiv(timestampMs, lengthMs) * lengthMs;
  }

  /** Whether bucket {@code [start, start + length)} is final once stream time is {@code streamTimeMs}. */
  public static boolean isFinal(long start, long lengthMs, long graceMs, long streamTimeMs) {
    return streamTimeMs > start + lengthMs + graceMs;
  }

  /**
   * The end of the last final bucket at stream time {@code streamTimeMs}: every bucket ending at or before it
   * is final, none after it.
   */
  public static long finalizedThrough(long lengthMs, long graceMs, long streamTimeMs) {
    return Math.floorDiv(streamTimeMs - graceMs - 1, lengthMs) * lengthMs;
  }
}

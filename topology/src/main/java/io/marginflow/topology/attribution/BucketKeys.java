package io.marginflow.topology.attribution;

/** Store keys that sort by time first: zero-padded epoch ms, then the entity. */
public final class BucketKeys {
  private static final String FORMAT = "%013d";

  private BucketKeys() {
  }

  public static String timeFirst(long timestampMs, String entity) {
    return String.format(FORMAT, timestampMs) + "|" + entity;
  }

  /** The greatest key with a time at or before {@code timestampMs}. */
  public static String upTo(long timestampMs) {
    return String.format(FORMAT, timestampMs) + "|\uffff";
  }

  public static String entityFirst(String entity, long timestampMs) {
    return entity + "|" + String.format(FORMAT, timestampMs);
  }

  public static long timeOf(String timeFirstKey) {
    return Long.parseLong(timeFirstKey.substring(0, 13));
  }
}

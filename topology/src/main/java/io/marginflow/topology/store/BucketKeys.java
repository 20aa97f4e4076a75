package io.marginflow.topology.store;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Store keys that sort by time first, in one place. A node bucket's key is its zero-padded start, then the node id with its length
 * (so any node id, separators included, parses back); a line of that bucket appends (tenant, model, region), so all
 * of a bucket's entries are contiguous and a range up to a time holds exactly the buckets starting by then.
 */
public final class BucketKeys {
  private static final int TIME_DIGITS = 13;
  private static final int LENGTH_DIGITS = 5;
  private static final int SEQ_DIGITS = 19;
  private static final char SEP = '\u0000';

  private BucketKeys() {
  }

  /** The key of node {@code node}'s bucket starting at {@code startMs}. */
  public static String bucket(long startMs, String node) {
    StringBuilder b = new StringBuilder(TIME_DIGITS + LENGTH_DIGITS + 2 + node.length());
    pad(b, startMs, TIME_DIGITS).append('|');
    return pad(b, node.length(), LENGTH_DIGITS).append(node).toString();
  }

  /** The key of one (tenant, model, region) line in a node bucket. */
  public static String line(String bucketKey, String tenant, String model, String region) {
    return bucketKey + '|' + tenant + SEP + model + SEP + region;
  }

  /** The key of a bucket's {@code seq}-th entry of a kind kept in sequence (a usage partition's line packs). */
  public static String numbered(String bucketKey, long seq) {
    return pad(new StringBuilder(bucketKey).append('|'), seq, SEQ_DIGITS).toString();
  }

  /** A key above every key of a bucket starting at or before {@code startMs}. */
  public static String upTo(long startMs) {
    return pad(new StringBuilder(), startMs, TIME_DIGITS).append("|\uffff").toString();
  }

  /** The bucket key an entry (bucket or line) belongs to. */
  public static String bucketOf(String key) {
    int nodeLength = Integer.parseInt(key.substring(TIME_DIGITS + 1, TIME_DIGITS + 1 + LENGTH_DIGITS));
    return key.substring(0, TIME_DIGITS + 1 + LENGTH_DIGITS + nodeLength);
  }

  public static long startOf(String key) {
    return Long.parseLong(key.substring(0, TIME_DIGITS));
  }

  public static String nodeOf(String key) {
    return bucketOf(key).substring(TIME_DIGITS + 1 + LENGTH_DIGITS);
  }

  /** Keys that sort by entity, then time (energy prices by region and effective time). */
  public static String entityFirst(String entity, long timestampMs) {
    return pad(new StringBuilder(entity).append('|'), timestampMs, TIME_DIGITS).toString();
  }

  /**
   * Keys that sort by time (19 digits, any non-negative epoch millisecond), then entity: a usage partition's COST held
   * per bucket and tenant, the pricing task's intervals per region.
   */
  public static String timeFirst(long timeMs, String entity) {
    return pad(new StringBuilder(SEQ_DIGITS + 1 + entity.length()), timeMs, SEQ_DIGITS).append('|').append(entity)
        .toString();
  }

  /** The time of a {@link #timeFirst} key. */
  public static long timeOfTimeFirst(String key) {
    return Long.parseLong(key.substring(0, SEQ_DIGITS));
  }

  /** The entity of a {@link #timeFirst} key. */
  public static String entityOfTimeFirst(String key) {
    return key.substring(SEQ_DIGITS + 1);
  }

  /**
   * The {@link #timeFirst} entries at or before {@code timeMs}, oldest first, read out before any is changed. The
   * upper bound is the time followed by '}', the character after the separator '|': above every entity, whatever its
   * first character (a bound of "|\uffff" missed entities starting with a character above U+FFFF in UTF-8 order).
   */
  public static <V> List<KeyValue<String, V>> timeFirstUpTo(KeyValueStore<String, V> store, long timeMs) {
    List<KeyValue<String, V>> due = new ArrayList<>();
    if (timeMs < 0) {
      return due;
    }
    String to = pad(new StringBuilder(), timeMs, SEQ_DIGITS).append('}').toString();
    try (KeyValueIterator<String, V> it = store.range(timeFirst(0, ""), to)) {
      it.forEachRemaining(due::add);
    }
    return due;
  }

  private static StringBuilder pad(StringBuilder b, long value, int digits) {
    if (value < 0) {
      throw new IllegalArgumentException("negative key time " + value);
    }
    String s = Long.toString(value);
    for (int i = s.length(); i < digits; i++) {
      b.append('0');
    }
    return b.append(s);
  }
}

package io.marginflow.topology.progress;

import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The stream time of one input partition (the greatest event time seen), kept in a store so it survives
 * restarts, and when its progress was last reported downstream.
 */
public final class PartitionClock {
  private final KeyValueStore<String, Long> store;
  private final String key;
  private long streamTime;
  private long reported;

  public PartitionClock(KeyValueStore<String, Long> store, String key) {
    this.store = store;
    this.key = key;
    Long t = store.get(key);
    Long r = store.get(key + "|reported");
    this.streamTime = t == null ? Long.MIN_VALUE : t;
    this.reported = r == null ? Long.MIN_VALUE : r;
  }

  public long streamTime() {
    return streamTime;
  }

  public void advance(long timestampMs) {
    if (timestampMs > streamTime) {
      streamTime = timestampMs;
      store.put(key, streamTime);
    }
  }

  /** Whether progress should be reported: always when forced (ticks), else every {@code intervalMs}. */
  public boolean dueReport(long intervalMs, boolean force) {
    if (streamTime == Long.MIN_VALUE || streamTime == reported) {
      return false;
    }
    return force || reported == Long.MIN_VALUE || streamTime - reported >= intervalMs;
  }

  public void reported() {
    reported = streamTime;
    store.put(key + "|reported", reported);
  }
}

package io.marginflow.topology.attribution;

import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The low watermark of a task fed by several upstream partitions: each reports its stream time; the task may
 * only act on the minimum over all of them, once all have reported. Kept in a store to survive restarts.
 */
public final class Progress {
  private final KeyValueStore<String, Long> store;

  public Progress(KeyValueStore<String, Long> store) {
    this.store = store;
  }

  /** Records that {@code input} reached {@code timeMs} (never moving backwards). */
  public void report(String input, long timeMs) {
    Long previous = store.get(input);
    if (previous == null || timeMs > previous) {
      store.put(input, timeMs);
    }
  }

  /** The minimum over {@code inputs}, or Long.MIN_VALUE while any has not reported. */
  public long lowWatermark(Iterable<String> inputs) {
    long min = Long.MAX_VALUE;
    for (String input : inputs) {
      Long t = store.get(input);
      if (t == null) {
        return Long.MIN_VALUE;
      }
      min = Math.min(min, t);
    }
    return min == Long.MAX_VALUE ? Long.MIN_VALUE : min;
  }

  /** A marker value (e.g. what was finalized through), Long.MIN_VALUE if never set; keys start with '#'. */
  public long marker(String key) {
    Long v = store.get(key);
    return v == null ? Long.MIN_VALUE : v;
  }

  public void setMarker(String key, long value) {
    store.put(key, value);
  }
}

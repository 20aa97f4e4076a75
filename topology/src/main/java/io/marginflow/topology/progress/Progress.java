package io.marginflow.topology.progress;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The low watermark of a task fed by several upstream partitions: each reports its stream time; the task may
 * only act on the minimum over all of them, once all have reported. Kept in a store to survive restarts, and read
 * from memory on the hot path: only the owning task writes the store, and a new task instance starts from it again.
 */
public final class Progress {
  private final KeyValueStore<String, Long> store;
  private final Map<String, Long> memo = new HashMap<>();

  public Progress(KeyValueStore<String, Long> store) {
    this.store = store;
  }

  private Long get(String key) {
    Long v = memo.get(key);
    if (v == null && !memo.containsKey(key)) {
      v = store.get(key);
      memo.put(key, v);
    }
    return v;
  }

  private void put(String key, long value) {
    memo.put(key, value);
    store.put(key, value);
  }

  /** The names of an input's partitions as {@link #report} expects them: {@code source:0 .. source:n-1}. */
  public static java.util.List<String> inputs(String source, int partitions) {
    java.util.List<String> names = new java.util.ArrayList<>();
    for (int p = 0; p < partitions; p++) {
      names.add(Markers.input(source, p));
    }
    return java.util.List.copyOf(names);
  }

  /** Records that {@code input} reached {@code timeMs} (never moving backwards). */
  public void report(String input, long timeMs) {
    Long previous = get(input);
    if (previous == null || timeMs > previous) {
      put(input, timeMs);
    }
  }

  /** The minimum over {@code inputs}, or Long.MIN_VALUE while any has not reported. */
  public long lowWatermark(Iterable<String> inputs) {
    long min = Long.MAX_VALUE;
    for (String input : inputs) {
      Long t = get(input);
      if (t == null) {
        return Long.MIN_VALUE;
      }
      min = Math.min(min, t);
    }
    return min == Long.MAX_VALUE ? Long.MIN_VALUE : min;
  }

  /** A marker value (e.g. what was finalized through), Long.MIN_VALUE if never set; keys start with '#'. */
  public long marker(String key) {
    Long v = get(key);
    return v == null ? Long.MIN_VALUE : v;
  }

  public void setMarker(String key, long value) {
    put(key, value);
  }
}

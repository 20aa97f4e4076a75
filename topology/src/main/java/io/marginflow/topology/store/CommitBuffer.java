package io.marginflow.topology.store;

import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * A key-value store's changes since the last commit, held as objects and written to the store once, at the commit
 * ({@link BeforeCommit} calls {@link #flush}): a value changed by many records between two commits costs one store
 * write and one changelog record, not a serialization and a deserialization per record (what a record cache of bytes
 * costs). Reads see the changes; a null value is a delete.
 *
 * <p>The store must have no record cache: written from a commit's flush, its records must reach the changelog in that
 * commit whatever order the caches flush in. Write-through (each put goes straight to the store) where the processor
 * context offers no commit hook (tests on {@code MockProcessorContext}). What is held is lost with the task only
 * together with the uncommitted input that made it (exactly-once: the task is restored from the changelog and reads
 * that input again).
 */
public final class CommitBuffer<V> {
  private final KeyValueStore<String, V> store;
  private final Runnable arm;
  private final NavigableMap<String, V> changed = new TreeMap<>();

  /** With the commit hook's {@code arm}, or write-through where the context has no hook ({@code arm} null). */
  public CommitBuffer(KeyValueStore<String, V> store, Runnable arm) {
    this.store = store;
    this.arm = arm;
  }

  /** Held until {@code hook} runs {@link #flush}; write-through where the context offers no hook. */
  public static <V> CommitBuffer<V> until(BeforeCommit hook, KeyValueStore<String, V> store) {
    return new CommitBuffer<>(store, hook.supported() ? hook::arm : null);
  }

  public V get(String key) {
    return changed.containsKey(key) ? changed.get(key) : store.get(key);
  }

  public void put(String key, V value) {
    if (arm == null) {
      store.put(key, value);
      return;
    }
    changed.put(key, value);
    arm.run();
  }

  /** The entries with keys in [from, to] (to null: no upper bound), changes applied, in key order. */
  public NavigableMap<String, V> range(String from, String to) {
    NavigableMap<String, V> out = new TreeMap<>();
    try (KeyValueIterator<String, V> it = store.range(from, to)) {
      it.forEachRemaining(kv -> out.put(kv.key, kv.value));
    }
    NavigableMap<String, V> mine = to == null ? changed.tailMap(from, true) : changed.subMap(from, true, to, true);
    for (Map.Entry<String, V> e : mine.entrySet()) {
      if (e.getValue() == null) {
        out.remove(e.getKey());
      } else {
        out.put(e.getKey(), e.getValue());
      }
    }
    return out;
  }

  /** The first key at or after {@code from} that holds a value, changes applied; null when there is none. */
  public String firstKey(String from) {
    String stored = null;
    try (KeyValueIterator<String, V> it = store.range(from, null)) {
      while (stored == null && it.hasNext()) {
        String key = it.next().key;
        if (!changed.containsKey(key) || changed.get(key) != null) {
          stored = key;
        }
      }
    }
    String held = null;
    for (Map.Entry<String, V> e : changed.tailMap(from, true).entrySet()) {
      if (e.getValue() != null) {
        held = e.getKey();
        break;
      }
    }
    if (stored == null || held == null) {
      return stored == null ? held : stored;
    }
    return stored.compareTo(held) <= 0 ? stored : held;
  }

  /** Writes the changes to the store (each once, in key order) and forgets them. */
  public void flush() {
    changed.forEach(store::put);
    changed.clear();
  }
}

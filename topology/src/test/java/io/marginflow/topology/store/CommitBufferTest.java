package io.marginflow.topology.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.NavigableMap;
import java.util.Random;
import java.util.TreeMap;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;

/** Reads through the buffer must always equal a plain map given the same writes; the store catches up at each flush. */
class CommitBufferTest {

  /** An in-memory store, unlogged, initialized on a mock context. */
  static KeyValueStore<String, String> store() {
    KeyValueStore<String, String> store = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore("s"), Serdes.String(),
        Serdes.String()).withLoggingDisabled().build();
    MockProcessorContext<Object, Object> context = new MockProcessorContext<>();
    store.init(context.getStateStoreContext(), store);
    return store;
  }

  private static NavigableMap<String, String> contents(KeyValueStore<String, String> store) {
    NavigableMap<String, String> out = new TreeMap<>();
    try (KeyValueIterator<String, String> it = store.all()) {
      it.forEachRemaining(kv -> out.put(kv.key, kv.value));
    }
    return out;
  }

  @Test
  void shouldReadAsAPlainMapAndWriteTheStoreOnlyAtFlush() {
    KeyValueStore<String, String> store = store();
    int[] armed = {0};
    CommitBuffer<String> buffer = new CommitBuffer<>(store, () -> armed[0]++);
    NavigableMap<String, String> reference = new TreeMap<>();
    NavigableMap<String, String> flushed = new TreeMap<>();
    Random random = new Random(7);
    for (int step = 0; step < 5_000; step++) {
      String key = String.format("k%02d", random.nextInt(40));
      int op = random.nextInt(10);
      if (op < 5) {
        buffer.put(key, "v" + step);
        reference.put(key, "v" + step);
      } else if (op < 8) {
        buffer.put(key, null);
        reference.remove(key);
      } else if (op == 8) {
        buffer.flush();
        flushed = new TreeMap<>(reference);
      }
      assertEquals(flushed, contents(store), "the store changes only at a flush (step " + step + ")");
      assertEquals(reference.get(key), buffer.get(key));
      String from = String.format("k%02d", random.nextInt(40));
      String to = String.format("k%02d", random.nextInt(40));
      if (from.compareTo(to) <= 0) {
        assertEquals(reference.subMap(from, true, to, true), buffer.range(from, to), "range " + from + ".." + to);
      }
      assertEquals(reference.tailMap(from, true), buffer.range(from, null));
      assertEquals(reference.ceilingKey(from), buffer.firstKey(from), "first key from " + from);
    }
    assertTrue(armed[0] > 0);
  }

  @Test
  void shouldWriteThroughWithoutACommitHook() {
    KeyValueStore<String, String> store = store();
    CommitBuffer<String> buffer = new CommitBuffer<>(store, null);
    buffer.put("a", "1");
    assertEquals(Map.of("a", "1"), contents(store));
    buffer.put("a", null);
    assertNull(store.get("a"));
    assertNull(buffer.firstKey(""));
  }
}

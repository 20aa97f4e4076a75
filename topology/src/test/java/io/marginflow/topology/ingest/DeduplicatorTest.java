package io.marginflow.topology.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowStore;
import org.junit.jupiter.api.Test;

/** SPEC 2 de-duplication against a brute-force reference, across restarts and crashes between two commits. */
class DeduplicatorTest {
  private static final long H = 60_000;
  /** An attribution bucket plus grace: how far behind stream time an accepted event may lie. */
  private static final long LATE = 20_000;

  private static WindowStore<Long, byte[]> store() {
    WindowStore<Long, byte[]> s = Stores.windowStoreBuilder(Stores.inMemoryWindowStore("dedup",
        Duration.ofMillis(Deduplicator.retentionMs(H, LATE)), Duration.ofMillis(H), false), Serdes.Long(),
        Serdes.ByteArray()).withLoggingDisabled().build();
    MockProcessorContext<Object, Object> context = new MockProcessorContext<>();
    s.init(context.getStateStoreContext(), s);
    return s;
  }

  private static WindowStore<String, Long> legacyStore() {
    WindowStore<String, Long> s = Stores.windowStoreBuilder(Stores.inMemoryWindowStore("legacy",
        Duration.ofMillis(3 * H), Duration.ofMillis(H), false), Serdes.String(), Serdes.Long())
        .withLoggingDisabled().build();
    MockProcessorContext<Object, Object> context = new MockProcessorContext<>();
    s.init(context.getStateStoreContext(), s);
    return s;
  }

  private record Kept(String id, long ts) {
  }

  private record Event(String id, long ts, long streamTime) {
  }

  @Test
  void shouldFindDuplicatesInTheNeighbourBuckets() {
    long t0 = 10 * H + 1_000;
    Deduplicator d = new Deduplicator(store(), H, LATE, Long.MIN_VALUE);
    assertTrue(d.keepIfNew("a", t0, t0));
    assertFalse(d.keepIfNew("a", t0 - H, t0), "exactly a horizon earlier, previous bucket");
    assertFalse(d.keepIfNew("a", t0 + H, t0 + H), "exactly a horizon later, next bucket");
    assertTrue(d.keepIfNew("a", t0 + H + 1, t0 + H + 1), "just past the horizon: counts again");
    assertTrue(d.keepIfNew("b", t0, t0 + H + 1));
  }

  @Test
  void shouldRememberOnlyWhatWasWrittenAcrossARestart() {
    long t0 = 10 * H;
    WindowStore<Long, byte[]> s = store();
    Deduplicator d = new Deduplicator(s, H, LATE, Long.MIN_VALUE);
    assertTrue(d.keepIfNew("committed", t0, t0));
    d.flush();
    assertTrue(d.keepIfNew("in-flight", t0 + 1, t0 + 1));
    // A crash: the in-flight id was never written, so its event (processed again) is new once more.
    Deduplicator after = new Deduplicator(s, H, LATE, t0);
    assertFalse(after.keepIfNew("committed", t0 + 5, t0 + 5));
    assertTrue(after.keepIfNew("in-flight", t0 + 1, t0 + 5));
    assertEquals(1, chunks(s), "one chunk per bucket and write, not one record per id");
  }

  @Test
  void shouldSplitLargeWritesIntoBoundedChunks() {
    long t0 = 10 * H;
    WindowStore<Long, byte[]> s = store();
    Deduplicator d = new Deduplicator(s, H, LATE, Long.MIN_VALUE);
    int n = 2 * IdChunks.MAX_IDS + 5;
    for (int i = 0; i < n; i++) {
      assertTrue(d.keepIfNew("id-" + i, t0 + i % 1000, t0 + 1000));
    }
    d.flush();
    assertEquals(3, chunks(s));
    Deduplicator after = new Deduplicator(s, H, LATE, t0 + 1000);
    assertEquals(n, after.size());
    assertFalse(after.keepIfNew("id-" + (n - 1), t0 + 2000, t0 + 2000));
  }

  @Test
  void shouldReadTheLegacyStoreOfAnUpgrade() {
    long t0 = 10 * H;
    WindowStore<String, Long> legacy = legacyStore();
    legacy.put("before-upgrade", t0, t0);
    Deduplicator d = new Deduplicator(store(), H, LATE, t0);
    d.addLegacy(legacy, t0);
    assertFalse(d.keepIfNew("before-upgrade", t0 + H, t0 + H));
    assertTrue(d.keepIfNew("before-upgrade", t0 + H + 1, t0 + H + 1));
  }

  @Test
  void shouldRefuseChunksOfAnUnknownFormat() {
    WindowStore<Long, byte[]> s = store();
    s.put(0L, new byte[] {9, 1, 2}, 10 * H);
    assertThrows(IllegalStateException.class, () -> new Deduplicator(s, H, LATE, Long.MIN_VALUE));
  }

  /**
   * Random ids, out of order, against a reference that keeps every kept event. Now and then the partition commits
   * (flush), restarts cleanly, or crashes: the deduplicator is dropped without a flush, a new one reads the store, and
   * the events since the last commit are processed again, as Kafka Streams does under exactly-once.
   */
  @Test
  void shouldAgreeWithABruteForceReferenceAcrossCommitsAndCrashes() {
    Random rng = new Random(42);
    WindowStore<Long, byte[]> s = store();
    List<Event> events = new ArrayList<>();
    long ts = 100 * H;
    long streamTime = Long.MIN_VALUE;
    for (int i = 0; i < 30_000; i++) {
      ts += rng.nextInt(2_000);
      long t = ts - rng.nextInt((int) LATE); // out of order, never late
      streamTime = Math.max(streamTime, t);
      events.add(new Event("e" + rng.nextInt(400), t, streamTime));
    }
    List<Kept> kept = new ArrayList<>();
    Deduplicator d = new Deduplicator(s, H, LATE, Long.MIN_VALUE);
    int committedThrough = 0;
    int keptAtCommit = 0;
    int duplicates = 0;
    int crashes = 0;
    for (int i = 0; i < events.size(); i++) {
      Event e = events.get(i);
      boolean expected = kept.stream().noneMatch(k -> k.id().equals(e.id()) && Math.abs(k.ts() - e.ts()) <= H);
      assertEquals(expected, d.keepIfNew(e.id(), e.ts(), e.streamTime()), "event " + i + " " + e);
      if (expected) {
        kept.add(new Kept(e.id(), e.ts()));
      } else {
        duplicates++;
      }
      int dice = rng.nextInt(1_000);
      if (dice < 20) {
        d.flush();
        committedThrough = i + 1;
        keptAtCommit = kept.size();
      } else if (dice < 22) {
        d.flush();
        committedThrough = i + 1;
        keptAtCommit = kept.size();
        d = new Deduplicator(s, H, LATE, e.streamTime());
      } else if (dice < 24) {
        crashes++;
        kept.subList(keptAtCommit, kept.size()).clear();
        long restoredTime = committedThrough == 0 ? Long.MIN_VALUE : events.get(committedThrough - 1).streamTime();
        d = new Deduplicator(s, H, LATE, restoredTime);
        i = committedThrough - 1;
      }
    }
    assertTrue(duplicates > 1_000 && crashes > 10, "the case exercises duplicates and crashes: " + duplicates + ", "
        + crashes);
  }

  private static int chunks(WindowStore<Long, byte[]> s) {
    int n = 0;
    try (KeyValueIterator<Windowed<Long>, byte[]> all = s.all()) {
      while (all.hasNext()) {
        KeyValue<Windowed<Long>, byte[]> ignored = all.next();
        n++;
      }
    }
    return n;
  }
}

package io.marginflow.topology.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowStore;
import org.junit.jupiter.api.Test;

/** SPEC 2 de-duplication against a brute-force reference, across restarts and dropped filters. */
class DeduplicatorTest {
  private static final long H = 60_000;

  private static WindowStore<String, Long> store() {
    WindowStore<String, Long> s = Stores.windowStoreBuilder(Stores.inMemoryWindowStore("dedup", Duration.ofMillis(3 * H),
        Duration.ofMillis(H), false), Serdes.String(), Serdes.Long()).withLoggingDisabled().build();
    MockProcessorContext<Object, Object> context = new MockProcessorContext<>();
    s.init(context.getStateStoreContext(), s);
    return s;
  }

  private record Kept(String id, long ts) {
  }

  @Test
  void shouldFindDuplicatesInTheNeighbourBuckets() {
    Deduplicator d = new Deduplicator(store(), H, Long.MIN_VALUE);
    long t0 = 10 * H + 1_000;
    d.keep("a", t0);
    assertTrue(d.seenWithinHorizon("a", t0 + H, t0 + H), "exactly a horizon later, next bucket");
    assertTrue(d.seenWithinHorizon("a", t0 - H, t0), "exactly a horizon earlier, previous bucket");
    assertFalse(d.seenWithinHorizon("a", t0 + H + 1, t0 + H + 1));
    assertFalse(d.seenWithinHorizon("b", t0, t0));
  }

  @Test
  void shouldAgreeWithABruteForceReference() {
    Random rng = new Random(42);
    WindowStore<String, Long> s = store();
    long ts = 100 * H;
    long streamTime = Long.MIN_VALUE;
    Deduplicator d = new Deduplicator(s, H, streamTime);
    List<Kept> kept = new ArrayList<>();
    int duplicates = 0;
    for (int i = 0; i < 20_000; i++) {
      ts += rng.nextInt(2_000);
      long t = ts - rng.nextInt(30_000); // out of order by up to half a horizon
      String id = "e" + rng.nextInt(400);
      streamTime = Math.max(streamTime, t);
      if (rng.nextInt(2_000) == 0) {
        d = new Deduplicator(s, H, streamTime); // a restart: filters gone, the store remains
      }
      long at = t;
      boolean expected = kept.stream().anyMatch(k -> k.id().equals(id) && Math.abs(k.ts() - at) <= H);
      assertEquals(expected, d.seenWithinHorizon(id, t, streamTime), "event " + i + " " + id + " at " + t);
      if (expected) {
        duplicates++;
      } else {
        d.keep(id, t);
        kept.add(new Kept(id, t));
      }
    }
    assertTrue(duplicates > 1_000 && duplicates < 19_000, "the case exercises both answers: " + duplicates);
  }
}

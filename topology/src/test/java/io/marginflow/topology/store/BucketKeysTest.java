package io.marginflow.topology.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.Test;

class BucketKeysTest {
  @Test
  void shouldParseBackAnyNodeIdFromBucketAndLineKeys() {
    String bucket = BucketKeys.bucket(1_767_607_200_000L, "rack|7:n1");
    String line = BucketKeys.line(bucket, "acme", "m|1", "eu");
    assertEquals(bucket, BucketKeys.bucketOf(line));
    assertEquals("rack|7:n1", BucketKeys.nodeOf(line));
    assertEquals(1_767_607_200_000L, BucketKeys.startOf(line));
  }

  @Test
  void shouldSortByTimeFirstSoARangeHoldsExactlyTheBucketsStartedByThen() {
    String early = BucketKeys.line(BucketKeys.bucket(60_000, "zz-node"), "t", "m", "r");
    String late = BucketKeys.bucket(120_000, "a");
    assertTrue(early.compareTo(BucketKeys.upTo(60_000)) < 0);
    assertTrue(late.compareTo(BucketKeys.upTo(60_000)) > 0);
    assertTrue(BucketKeys.bucket(0, "").compareTo(early) < 0);
  }

  /** Deployed stores hold these keys: the layout is that of String.format("%019d|%s") which wrote them before. */
  @Test
  void shouldKeepTheTimeFirstLayoutAndReadBackOnlyWhatIsDue() {
    assertEquals("0000001767225600000|tenant|a", BucketKeys.timeFirst(1_767_225_600_000L, "tenant|a"));
    assertEquals(1_767_225_600_000L, BucketKeys.timeOfTimeFirst(BucketKeys.timeFirst(1_767_225_600_000L, "eu-west")));
    assertEquals("eu-west", BucketKeys.entityOfTimeFirst(BucketKeys.timeFirst(1_767_225_600_000L, "eu-west")));
    KeyValueStore<String, String> store = CommitBufferTest.store();
    for (long t : new long[] {60_000, 0, 120_000, 9_999_999_999_999L}) {
      store.put(BucketKeys.timeFirst(t, "\uffffz"), "at " + t);
      store.put(BucketKeys.timeFirst(t, "\ud83d\ude00 tenant"), "at " + t);
      store.put(BucketKeys.timeFirst(t, ""), "at " + t);
    }
    assertEquals(List.of("at 0", "at 0", "at 0", "at 60000", "at 60000", "at 60000"),
        BucketKeys.timeFirstUpTo(store, 60_000).stream().map(kv -> kv.value).toList());
    assertTrue(BucketKeys.timeFirstUpTo(store, -1).isEmpty(), "nothing is due before time 0");
  }
}

package io.marginflow.topology.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
}

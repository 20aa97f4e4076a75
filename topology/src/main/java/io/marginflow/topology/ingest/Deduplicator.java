package io.marginflow.topology.ingest;

import io.marginflow.topology.domain.Buckets;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.streams.state.WindowStore;

/**
 * SPEC 2 de-duplication of one usage partition: an event id counts once within dedup.horizon of event time.
 *
 * <p>Kept ids are stored in buckets of the horizon's length; two kept events of one id are more than a horizon apart,
 * so a bucket holds at most one per id, and any kept within the horizon of {@code ts} lies in its bucket or a
 * neighbour: at most three point reads, no range scan. The next bucket can hold a kept id only once the partition's
 * stream time has reached it. Most reads would miss (ids are mostly new), so each bucket that began after this task
 * started has a Bloom filter of its ids: a bucket whose filter rules the id out is not read.
 */
public final class Deduplicator {
  /** 2^22 bits (512 KiB) per bucket: under 1e-4 false positives up to 150,000 ids per bucket and partition. */
  private static final int FILTER_LOG2_BITS = 22;
  private final WindowStore<String, Long> seen;
  private final long horizonMs;
  private final long bucketMs;
  private final long firstFilteredBucket;
  private final Map<Long, SeenFilter> filters = new HashMap<>();
  private long droppedBelow = Long.MIN_VALUE;

  /** {@code streamTimeAtStart}: the partition's stream time when the task started (no id is stored after it). */
  public Deduplicator(WindowStore<String, Long> seen, long horizonMs, long streamTimeAtStart) {
    this.seen = seen;
    this.horizonMs = horizonMs;
    this.bucketMs = bucketMs(horizonMs);
    this.firstFilteredBucket = streamTimeAtStart == Long.MIN_VALUE ? Long.MIN_VALUE
        : Buckets.start(streamTimeAtStart, bucketMs) + bucketMs;
  }

  /** The store's bucket (and segment) length: the horizon, at least 1 ms. */
  static long bucketMs(long horizonMs) {
    return Math.max(horizonMs, 1);
  }

  /** Whether {@code eventId} was kept within the horizon of {@code ts}; {@code streamTime} is the partition's. */
  public boolean seenWithinHorizon(String eventId, long ts, long streamTime) {
    long bucket = Buckets.start(ts, bucketMs);
    long last = streamTime >= bucket + bucketMs ? bucket + bucketMs : bucket;
    for (long b = bucket - bucketMs; b <= last; b += bucketMs) {
      if (b < 0) {
        continue;
      }
      SeenFilter filter = filters.get(b);
      if (filter != null ? !filter.mightContain(eventId) : b >= firstFilteredBucket && b >= droppedBelow) {
        continue; // ruled out by the filter, or a bucket with a filter from its start and no kept id yet
      }
      Long seenAt = seen.fetch(eventId, b);
      if (seenAt != null && Math.abs(seenAt - ts) <= horizonMs) {
        return true;
      }
    }
    return false;
  }

  /** Remembers a kept event. */
  public void keep(String eventId, long ts) {
    long bucket = Buckets.start(ts, bucketMs);
    seen.put(eventId, ts, bucket);
    if (bucket >= firstFilteredBucket) {
      filters.computeIfAbsent(bucket, b -> new SeenFilter(FILTER_LOG2_BITS)).add(eventId);
      // Bounded memory: filters of buckets two behind are dropped (reads there go to the store again).
      if (filters.size() > 3) {
        droppedBelow = Math.max(droppedBelow, bucket - bucketMs);
        filters.keySet().removeIf(b -> b < droppedBelow);
      }
    }
  }
}

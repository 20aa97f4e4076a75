package io.marginflow.topology.ingest;

import io.marginflow.topology.domain.Buckets;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.WindowStore;

/**
 * SPEC 2 de-duplication of one usage partition: an event id counts once within dedup.horizon of event time.
 *
 * <p>Each kept id is remembered as the first 128 bits of its SHA-256 digest and its event time, in memory, in buckets
 * of the horizon's length; a bucket holds at most one event per id (two kept events of one id are more than a horizon
 * apart), and any kept event within the horizon of {@code ts} lies in the bucket of {@code ts} or a neighbour.
 *
 * <p>Durability costs one changelog record per bucket and commit, not one per request: the ids kept since the last
 * write are written by {@link #flush()}, which the ingest calls before every commit (inside the transaction that
 * commits the input offsets), as one packed chunk to a logged window store: key a chunk number, window the bucket.
 * A task that starts (after a restart, a rebalance or a restore) reads the chunks back into memory, so it knows every
 * id whose event was committed and none whose event will be processed again. docs/DESIGN.md, "De-duplication".
 */
public final class Deduplicator {
  private final WindowStore<Long, byte[]> chunks;
  private final long horizonMs;
  private final long bucketMs;
  private final long lateAfterMs;
  private final MessageDigest sha256;
  private final TreeMap<Long, KeptIds> kept = new TreeMap<>();
  private final Map<Long, ByteBuffer> pending = new HashMap<>();
  private long nextChunk;
  private long hi;
  private long lo;

  /**
   * Reads the chunks of {@code chunks} back. {@code lateAfterMs}: how far behind the partition's stream time an event
   * may lie and still be accepted (attribution bucket plus grace); {@code streamTime}: the partition's, now.
   */
  public Deduplicator(WindowStore<Long, byte[]> chunks, long horizonMs, long lateAfterMs, long streamTime) {
    this.chunks = chunks;
    this.horizonMs = horizonMs;
    this.bucketMs = bucketMs(horizonMs);
    this.lateAfterMs = lateAfterMs;
    try {
      this.sha256 = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
    try (KeyValueIterator<Windowed<Long>, byte[]> all = chunks.all()) {
      while (all.hasNext()) {
        KeyValue<Windowed<Long>, byte[]> chunk = all.next();
        nextChunk = Math.max(nextChunk, chunk.key.key() + 1);
        IdChunks.read(chunk.value, this::remember);
      }
    }
    expire(streamTime);
  }

  /** A bucket's length (and the chunk store's window size): the horizon, at least 1 ms. */
  static long bucketMs(long horizonMs) {
    return Math.max(horizonMs, 1);
  }

  /**
   * How long the chunk store keeps a bucket after the latest bucket written: the oldest bucket an accepted event can
   * need lies {@code lateAfterMs} plus two horizons behind stream time; one more horizon covers bucket alignment.
   */
  static long retentionMs(long horizonMs, long lateAfterMs) {
    return 3 * bucketMs(horizonMs) + lateAfterMs;
  }

  /**
   * Keeps the event with {@code eventId} at {@code ts} unless an event with that id was kept within the horizon of
   * {@code ts}; whether it was kept. {@code streamTime} is the partition's, at most {@code ts + lateAfterMs}.
   */
  public boolean keepIfNew(String eventId, long ts, long streamTime) {
    expire(streamTime);
    digest(eventId);
    long bucket = Buckets.start(ts, bucketMs);
    for (long b = bucket - bucketMs; b <= bucket + bucketMs; b += bucketMs) {
      KeptIds ids = kept.get(b);
      if (ids != null) {
        long at = ids.get(hi, lo);
        if (at != Long.MIN_VALUE && Math.abs(at - ts) <= horizonMs) {
          return false;
        }
      }
    }
    kept.computeIfAbsent(bucket, b -> new KeptIds()).put(hi, lo, ts);
    append(bucket, ts);
    return true;
  }

  /** Writes the ids kept since the last write: one chunk per bucket. Call before every commit. */
  public void flush() {
    pending.forEach(this::write);
    pending.clear();
  }

  /**
   * Also knows the ids of {@code legacy}, the store of releases before packed chunks (id to event time), read only:
   * an upgrade keeps its duplicates out until the horizon has passed them.
   */
  public void addLegacy(WindowStore<String, Long> legacy, long streamTime) {
    try (KeyValueIterator<Windowed<String>, Long> all = legacy.all()) {
      while (all.hasNext()) {
        KeyValue<Windowed<String>, Long> entry = all.next();
        digest(entry.key.key());
        remember(hi, lo, entry.value);
      }
    }
    expire(streamTime);
  }

  /** How many ids are held in memory. */
  public long size() {
    long n = 0;
    for (KeptIds ids : kept.values()) {
      n += ids.size();
    }
    return n;
  }

  private void remember(long h, long l, long ts) {
    long bucket = Buckets.start(ts, bucketMs);
    KeptIds ids = kept.computeIfAbsent(bucket, b -> new KeptIds());
    long at = ids.get(h, l);
    if (at == Long.MIN_VALUE || ts < at) {
      ids.put(h, l, ts);
    }
  }

  /** Adds the current digest at {@code ts} to the bucket's pending chunk, which grows by doubling up to its limit. */
  private void append(long bucket, long ts) {
    ByteBuffer chunk = pending.get(bucket);
    if (chunk == null) {
      chunk = IdChunks.empty();
      pending.put(bucket, chunk);
    } else if (!chunk.hasRemaining()) {
      if (IdChunks.atLimit(chunk)) {
        write(bucket, chunk);
        IdChunks.restart(chunk);
      } else {
        chunk = IdChunks.grown(chunk);
        pending.put(bucket, chunk);
      }
    }
    IdChunks.add(chunk, hi, lo, ts);
  }

  private void write(long bucket, ByteBuffer chunk) {
    chunks.put(nextChunk++, IdChunks.bytes(chunk), bucket);
  }

  /**
   * Forgets the buckets no accepted event can reach any more, with their ids not yet written: those belong to events
   * after the last commit, and a task restored to that commit processes them again.
   */
  private void expire(long streamTime) {
    if (streamTime == Long.MIN_VALUE) {
      return;
    }
    long oldestNeeded = streamTime - lateAfterMs - horizonMs;
    while (!kept.isEmpty() && kept.firstKey() + bucketMs <= oldestNeeded) {
      pending.remove(kept.pollFirstEntry().getKey());
    }
  }

  private void digest(String eventId) {
    byte[] d = sha256.digest(eventId.getBytes(StandardCharsets.UTF_8));
    ByteBuffer b = ByteBuffer.wrap(d);
    hi = b.getLong();
    lo = b.getLong();
    if (hi == 0 && lo == 0) {
      lo = 1; // (0, 0) marks an empty slot
    }
  }
}

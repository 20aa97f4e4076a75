package io.marginflow.topology.attribution;

import io.marginflow.avro.internal.BucketLineState;
import io.marginflow.avro.internal.NodeBucketState;
import io.marginflow.avro.internal.PowerReading;
import io.marginflow.avro.internal.UsageLine;
import io.marginflow.topology.store.BucketKeys;
import io.marginflow.topology.store.CommitBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The node task's open buckets: each (bucket, node)'s power and its usage partitions' lines, held as objects between
 * commits ({@link CommitBuffer}) and handed over, oldest first, once final.
 */
final class OpenBuckets {
  /** Finalizes one bucket: its start, node, power (null without samples) and lines. */
  interface Finalizer {
    void finalizeBucket(long start, String node, NodeBucketState power, List<BucketLineState> lines);
  }

  private final CommitBuffer<NodeBucketState> buckets;
  private final CommitBuffer<BucketLineState> lines;

  OpenBuckets(CommitBuffer<NodeBucketState> buckets, CommitBuffer<BucketLineState> lines) {
    this.buckets = buckets;
    this.lines = lines;
  }

  /** Writes what changed since the last commit to the stores (from the pre-commit flush). */
  void flush() {
    buckets.flush();
    lines.flush();
  }

  /** Adds a usage partition's summed requests to their line of the bucket starting at {@code start}. */
  void addLine(long start, UsageLine u) {
    String key = BucketKeys.line(BucketKeys.bucket(start, u.getNodeId()), u.getTenantId(), u.getModel(), u.getRegion());
    BucketLineState line = lines.get(key);
    if (line == null) {
      line = NodeBuckets.emptyLine(u.getTenantId(), u.getModel(), u.getRegion());
    }
    NodeBuckets.addLine(line, u);
    lines.put(key, line);
  }

  /** Adds a power sample to its node's bucket; false when that GPU's sample at that time was already counted. */
  boolean addPower(long start, PowerReading p) {
    String key = BucketKeys.bucket(start, p.getNodeId());
    NodeBucketState b = buckets.get(key);
    if (b == null) {
      b = NodeBuckets.empty(p.getNodeId(), start);
    }
    if (!NodeBuckets.addPower(b, p)) {
      return false;
    }
    buckets.put(key, b);
    return true;
  }

  /** The start of the earliest bucket at or after {@code fromMs} that holds power or lines, or Long.MAX_VALUE. */
  long firstOpen(long fromMs) {
    long first = Long.MAX_VALUE;
    String from = BucketKeys.bucket(fromMs, "");
    String power = buckets.firstKey(from);
    if (power != null) {
      first = BucketKeys.startOf(power);
    }
    String line = lines.firstKey(from);
    if (line != null) {
      first = Math.min(first, BucketKeys.startOf(line));
    }
    return first;
  }

  /** Hands every bucket starting at or before {@code lastStartMs} to {@code finalizer}, oldest first, and forgets it. */
  void finalizeThrough(long lastStartMs, Finalizer finalizer) {
    Map<String, Due> due = new TreeMap<>();
    String from = BucketKeys.bucket(0, "");
    String to = BucketKeys.upTo(Math.max(0, lastStartMs));
    buckets.range(from, to).forEach((key, power) -> {
      Due d = due.computeIfAbsent(key, k -> new Due());
      d.power = power;
      d.keys.add(key);
    });
    lines.range(from, to).forEach((key, line) -> {
      Due d = due.computeIfAbsent(BucketKeys.bucketOf(key), k -> new Due());
      d.lines.add(line);
      d.keys.add(key);
    });
    due.forEach((bucketKey, d) -> {
      finalizer.finalizeBucket(BucketKeys.startOf(bucketKey), BucketKeys.nodeOf(bucketKey), d.power, d.lines);
      for (String key : d.keys) {
        if (key.equals(bucketKey)) {
          buckets.put(key, null);
        } else {
          lines.put(key, null);
        }
      }
    });
  }

  /** A bucket due for finalization: its power (null without samples) and its request lines. */
  private static final class Due {
    NodeBucketState power;
    final List<BucketLineState> lines = new ArrayList<>();
    final List<String> keys = new ArrayList<>();
  }
}

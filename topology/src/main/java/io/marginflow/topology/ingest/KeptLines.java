package io.marginflow.topology.ingest;

import io.marginflow.avro.internal.PackedLine;
import io.marginflow.avro.internal.UsageLine;
import io.marginflow.avro.internal.UsageLinePack;
import io.marginflow.topology.progress.Markers;
import io.marginflow.topology.progress.Progress;
import io.marginflow.topology.store.BucketKeys;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * A usage partition's lines, kept in its own task ({@code usage-line-pack-store}): the ingest writes what each commit
 * added as packs per (bucket, node), numbered by a marker that rolls back with them; the split reads a bucket's packs
 * back when its cost slice comes, and forgets them then.
 */
public final class KeptLines {
  /** Keeps a pack's record well under the changelog's 1 MB record limit (a line packs into about 100 bytes). */
  private static final int MAX_PACK_LINES = 2_000;
  private final KeyValueStore<String, UsageLinePack> packs;
  private final Progress sequence;

  /** {@code sequence}: the store whose {@link Markers#LINE_PACK_SEQ} numbers the packs (null: read-only use). */
  public KeptLines(KeyValueStore<String, UsageLinePack> packs, Progress sequence) {
    this.packs = packs;
    this.sequence = sequence;
  }

  /** Keeps {@code added} (one commit's lines) as packs of at most 2,000 lines per (bucket, node). */
  void keep(List<UsageLine> added) {
    long seq = Math.max(sequence.marker(Markers.LINE_PACK_SEQ), 0);
    for (UsageLinePack pack : UsageLines.packs(added, MAX_PACK_LINES)) {
      packs.put(BucketKeys.numbered(BucketKeys.bucket(pack.getBucketStartMs().toEpochMilli(), pack.getNodeId()), seq++),
          pack);
    }
    sequence.setMarker(Markers.LINE_PACK_SEQ, seq);
  }

  /** The lines kept of (bucket, node), in (tenant, model, region) order, forgotten here; empty when none. */
  public List<PackedLine> take(long bucketStartMs, String node) {
    String prefix = BucketKeys.bucket(bucketStartMs, node) + '|';
    List<KeyValue<String, UsageLinePack>> found = new ArrayList<>();
    try (KeyValueIterator<String, UsageLinePack> it = packs.prefixScan(prefix, new StringSerializer())) {
      it.forEachRemaining(found::add);
    }
    if (found.isEmpty()) {
      return List.of();
    }
    List<PackedLine> lines = UsageLines.unpack(found.stream().map(kv -> kv.value).toList());
    found.forEach(kv -> forget(kv.key));
    return lines;
  }

  /** Forgets every pack of a bucket starting at or before {@code lastStartMs}; how many distinct lines they held. */
  public int dropThrough(long lastStartMs) {
    List<String> keys = new ArrayList<>();
    Set<String> lines = new HashSet<>();
    try (KeyValueIterator<String, UsageLinePack> it = packs.range(BucketKeys.bucket(0, ""),
        BucketKeys.upTo(Math.max(0, lastStartMs)))) {
      it.forEachRemaining(kv -> {
        keys.add(kv.key);
        kv.value.getLines().forEach(l -> lines.add(BucketKeys.line(BucketKeys.bucketOf(kv.key), l.getTenantId(),
            l.getModel(), l.getRegion())));
      });
    }
    keys.forEach(this::forget);
    return lines.size();
  }

  /** A tombstone without reading the old value first, which {@code delete} does (a RocksDB get per pack). */
  private void forget(String packKey) {
    packs.put(packKey, null);
  }
}

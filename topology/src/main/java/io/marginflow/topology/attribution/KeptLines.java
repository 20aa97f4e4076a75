package io.marginflow.topology.attribution;

import io.marginflow.avro.internal.PackedLine;
import io.marginflow.avro.internal.UsageLinePack;
import io.marginflow.topology.ingest.UsageLines;
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
 * A usage partition's lines as its ingest kept them ({@code usage-line-pack-store}: packs per (bucket, node) and
 * commit), read back by the split when the bucket's cost slice comes, and forgotten then.
 */
final class KeptLines {
  private final KeyValueStore<String, UsageLinePack> packs;

  KeptLines(KeyValueStore<String, UsageLinePack> packs) {
    this.packs = packs;
  }

  /** The lines kept of (bucket, node), in (tenant, model, region) order, forgotten here; empty when none. */
  List<PackedLine> take(long bucketStartMs, String node) {
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
  int dropThrough(long lastStartMs) {
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

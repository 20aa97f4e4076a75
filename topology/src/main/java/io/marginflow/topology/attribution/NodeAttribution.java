package io.marginflow.topology.attribution;

import org.apache.avro.specific.SpecificRecord;
import io.marginflow.topology.store.Changelogs;
import io.marginflow.avro.internal.AttributionInput;
import io.marginflow.avro.internal.BucketLineState;
import io.marginflow.avro.internal.NodeBucketState;
import io.marginflow.avro.internal.NodeBucketSummary;
import io.marginflow.topology.store.StoreNames;
import io.marginflow.topology.config.TopologyConfig;
import java.time.Duration;
import java.util.Set;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/** Per-node cost attribution (SPEC 3): buckets of requests and power, finalized by progress, split by weight. */
public final class NodeAttribution implements ProcessorSupplier<String, AttributionInput, String, SpecificRecord> {
  /** The child that takes the CapacityAlerts (ZOMBIE_NODE) to their topic. */
  public static final String ALERTS = "capacity-alerts";
  /** The child that takes the MarginInputs (cost slices, progress marks, multiplier changes) to the cost-slices topic. */
  public static final String SLICES = "attribution-main";
  private final TopologyConfig config;
  private final Serde<NodeBucketState> bucketSerde;
  private final Serde<BucketLineState> lineSerde;
  private final Serde<NodeBucketSummary> summarySerde;

  public NodeAttribution(TopologyConfig config, Serde<NodeBucketState> bucketSerde, Serde<BucketLineState> lineSerde,
      Serde<NodeBucketSummary> summarySerde) {
    this.config = config;
    this.bucketSerde = bucketSerde;
    this.lineSerde = lineSerde;
    this.summarySerde = summarySerde;
  }

  @Override
  public Processor<String, AttributionInput, String, SpecificRecord> get() {
    return new NodeAttributionProcessor(config);
  }

  @Override
  public Set<StoreBuilder<?>> stores() {
    // In a fixed order: the topology description (and its golden test) lists stores as they are given.
    return new java.util.LinkedHashSet<>(java.util.List.of(
        // No record cache: a bucket's power and lines are objects between commits, written once per commit
        // (CommitBuffer).
        Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(StoreNames.NODE_BUCKETS), Serdes.String(), bucketSerde),
        // Holds nothing: its cache flush is the signal to write the buckets' power and lines before a commit.
        Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(StoreNames.NODE_BUCKETS_FLUSH), Serdes.String(),
            Serdes.Long()).withCachingEnabled().withLoggingDisabled(),
        Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(StoreNames.NODE_BUCKET_LINES), Serdes.String(), lineSerde),
        Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(StoreNames.ATTRIBUTION_PROGRESS), Serdes.String(),
            Serdes.Long()).withCachingEnabled(),
        Changelogs.appendTime(Stores.windowStoreBuilder(Stores.persistentWindowStore(StoreNames.NODE_ENERGY,
            Duration.ofMillis(config.marginRetentionMs() + 86_400_000L), Duration.ofMillis(config.bucketMs()), false),
            Serdes.String(), summarySerde).withCachingEnabled()),
        Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(StoreNames.PRICING_SCHEDULE), Serdes.String(),
            Serdes.String()).withCachingEnabled()));
  }
}

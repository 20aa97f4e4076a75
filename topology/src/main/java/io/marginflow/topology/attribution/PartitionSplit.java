package io.marginflow.topology.attribution;

import io.marginflow.avro.internal.MarginInput;
import io.marginflow.topology.config.TopologyConfig;
import io.marginflow.topology.store.StoreNames;
import java.util.List;
import java.util.Set;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * The usage partition's side of the two-level split (SPEC 3): a cost slice from a node
 * task is split among this partition's lines of that (bucket, node), which the usage ingest kept in
 * {@link StoreNames#USAGE_LINES}, and each line's share goes on to the margins in this same task; the node tasks'
 * progress marks pass through behind their slices. Every line of the bucket is here when its slice comes: the node
 * task finalizes a bucket only after every usage partition's progress passed it, and a partition sends its lines'
 * loads before its progress. Pricing's sums come from here too: each slice's shares per (model, region), and on
 * one slice of each node bucket the bucket's own cost, idle cost and power; this partition's mark follows them once
 * every node task has passed a time.
 */
public final class PartitionSplit implements ProcessorSupplier<String, MarginInput, String, SpecificRecord> {
  /** The child that takes the PricingInputs (region sums, progress marks) to the pricing tasks. */
  public static final String PRICING = "pricing-inputs";
  /** The child that takes the MarginInputs (tenants' shares, progress marks) to the margins. */
  public static final String SHARES = "usage-split-main";
  private final TopologyConfig config;

  public PartitionSplit(TopologyConfig config) {
    this.config = config;
  }

  @Override
  public Set<StoreBuilder<?>> stores() {
    return new java.util.LinkedHashSet<>(List.of(
        Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(StoreNames.SPLIT_PROGRESS), Serdes.String(),
            Serdes.Long()).withCachingEnabled(),
        Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(StoreNames.USAGE_PRICING_SCHEDULE), Serdes.String(),
            Serdes.String()).withCachingEnabled()));
  }

  @Override
  public Processor<String, MarginInput, String, SpecificRecord> get() {
    return new PartitionSplitProcessor(config);
  }
}

package io.marginflow.topology.pricing;

import io.marginflow.avro.internal.MultiplierDecision;
import io.marginflow.avro.internal.PricingInput;
import io.marginflow.avro.internal.RegionBucket;
import io.marginflow.topology.config.TopologyConfig;
import io.marginflow.topology.store.StoreNames;
import java.util.Set;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * Per region, every {@code pricing.interval} of event time (SPEC 9): the realized unit economics of each (model,
 * region) over the interval's finalized buckets on {@code costs.model-region.v1}, once every attribution partition has
 * finalized the interval. The dynamic-pricing controller steps in the same place.
 */
public final class RegionPricing implements ProcessorSupplier<String, PricingInput, String, SpecificRecord> {
  /** The child that takes the PriceAdjustments to their topic. */
  public static final String ADJUSTMENTS = "price-adjustments";
  /** The child that takes decisions and marks (AttributionInput) back to the node and usage tasks. */
  public static final String FEEDBACK = "pricing-feedback";
  /** The child that takes the ModelRegionCosts to the unit-costs topic. */
  public static final String UNIT_COSTS = "unit-costs";
  private final TopologyConfig config;
  private final Serde<RegionBucket> stateSerde;
  private final Serde<MultiplierDecision> decisionSerde;

  public RegionPricing(TopologyConfig config, Serde<RegionBucket> stateSerde, Serde<MultiplierDecision> decisionSerde) {
    this.config = config;
    this.stateSerde = stateSerde;
    this.decisionSerde = MultiplierDecisions.serde(decisionSerde);
  }

  @Override
  public Processor<String, PricingInput, String, SpecificRecord> get() {
    return new RegionPricingProcessor(config);
  }

  @Override
  public Set<StoreBuilder<?>> stores() {
    return Set.of(
        Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(StoreNames.PRICING_INTERVALS), Serdes.String(), stateSerde)
            .withCachingEnabled(),
        Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(StoreNames.PRICING_PROGRESS), Serdes.String(),
            Serdes.Long()).withCachingEnabled(),
        Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(StoreNames.PRICING_MULTIPLIERS), Serdes.String(),
            decisionSerde).withCachingEnabled());
  }
}

package io.marginflow.topology;

import io.marginflow.topology.store.StoreNames;
import io.marginflow.topology.progress.ProgressBroadcastPartitioner;
import io.marginflow.topology.progress.SlicePartitioner;
import io.marginflow.topology.attribution.PartitionSplit;
import io.marginflow.avro.Budget;
import io.marginflow.avro.BudgetAlert;
import io.marginflow.avro.BudgetStatus;
import io.marginflow.avro.CapacityAlert;
import io.marginflow.avro.EnergyPrice;
import io.marginflow.avro.NodeProfile;
import io.marginflow.avro.PowerSample;
import io.marginflow.avro.PriceBookEntry;
import io.marginflow.avro.TenantMargin;
import io.marginflow.avro.TokenUsage;
import io.marginflow.avro.internal.AttributionInput;
import io.marginflow.avro.internal.BucketLineState;
import io.marginflow.avro.internal.BudgetPeriodState;
import io.marginflow.avro.internal.MarginInput;
import io.marginflow.avro.internal.UsageLinePack;
import org.apache.avro.specific.SpecificRecord;
import io.marginflow.avro.internal.MultiplierDecision;
import io.marginflow.avro.internal.PricingInput;
import io.marginflow.avro.internal.RegionBucket;
import io.marginflow.avro.ModelRegionCost;
import io.marginflow.avro.PriceAdjustment;
import io.marginflow.topology.pricing.RegionPricing;
import io.marginflow.avro.internal.NodeBucketState;
import io.marginflow.avro.internal.NodeBucketSummary;
import io.marginflow.avro.internal.TenantWindowState;
import io.marginflow.topology.attribution.NodeAttribution;
import io.marginflow.topology.config.Topics;
import io.marginflow.topology.config.TopologyConfig;
import io.marginflow.topology.ingest.PayloadTimestampExtractor;
import io.marginflow.topology.ingest.PowerIngest;
import io.marginflow.topology.ingest.IngestOutputs;
import io.marginflow.topology.ingest.UsageIngest;
import io.marginflow.topology.margin.TenantMargins;
import io.marginflow.topology.serde.MarginflowSerdes;
import java.util.Properties;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/**
 * The marginflow topology as a pure function of its configuration and serdes: it starts nothing, creates no
 * topic and reads no environment.
 *
 * <pre>
 * usage.tokens.v1 -> usage-ingest -> (dlq | late | usage-by-node: per-node loads) --\
 * telemetry.power.v1 -> power-ingest -> (dlq | late | main) ----------------------+-> attribution (node task)
 *   -> cost-slices (back to the usage partition) -> usage-split -> tenant-margins -> margins.tenant.v1
 *                                                 \-> pricing-by-region -> region-pricing
 * (price book, node profiles, energy prices: global stores)
 * </pre>
 */
public final class MarginflowTopology {
  private MarginflowTopology() {
  }

  public static Topology build(TopologyConfig config, MarginflowSerdes serdes) {
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "marginflow-topology");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    props.put(StreamsConfig.ENSURE_EXPLICIT_INTERNAL_RESOURCE_NAMING_CONFIG, true);
    props.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, true);
    StreamsBuilder b = new StreamsBuilder(new org.apache.kafka.streams.TopologyConfig(new StreamsConfig(props)));
    Topics t = config.topics();
    referenceData(b, t, serdes);

    Deserializer<TokenUsage> usageReader = serdes.value(TokenUsage.class).deserializer();
    KStream<String, AttributionInput> usage = IngestOutputs.route(b.stream(t.usage(), Consumed.with(Serdes.ByteArray(), Serdes.ByteArray())
            .withTimestampExtractor(PayloadTimestampExtractor.of(usageReader, t.usage(), TokenUsage::getTimestampMs,
                config.maxFutureSkewMs()))
            .withName("usage-source"))
        .process(new UsageIngest(config, usageReader, serdes.value(BudgetPeriodState.class),
            serdes.value(UsageLinePack.class)),
            Named.as("usage-ingest")), t.usage(), "usage", IngestOutputs.budgets(t, serdes))
        .repartition(Repartitioned.<String, AttributionInput>as("usage-by-node").withKeySerde(Serdes.String())
            .withValueSerde(serdes.value(AttributionInput.class))
            .withStreamPartitioner(new ProgressBroadcastPartitioner<>(v -> v.getWatermark() != null)));

    Deserializer<PowerSample> powerReader = serdes.value(PowerSample.class).deserializer();
    KStream<String, AttributionInput> power = IngestOutputs.route(b.stream(t.power(), Consumed.with(Serdes.ByteArray(), Serdes.ByteArray())
            .withTimestampExtractor(PayloadTimestampExtractor.of(powerReader, t.power(), PowerSample::getTimestampMs,
                config.maxFutureSkewMs()))
            .withName("power-source"))
        .process(new PowerIngest(config, powerReader), Named.as("power-ingest")), t.power(), "power", null);

    // The pricing tasks' decisions and marks come back to every attribution partition (SPEC 9, docs/DESIGN.md).
    KStream<String, AttributionInput> pricingFeedback = b.stream(t.pricingFeedback(),
        Consumed.with(Serdes.String(), serdes.value(AttributionInput.class)).withName("pricing-feedback-source"));
    KStream<String, SpecificRecord> attribution = usage.merge(power, Named.as("attribution-inputs"))
        .merge(pricingFeedback, Named.as("attribution-pricing-inputs"))
        .process(new NodeAttribution(config, serdes.value(NodeBucketState.class), serdes.value(BucketLineState.class),
                serdes.value(NodeBucketSummary.class)),
            Named.as("attribution"));
    output(attribution, NodeAttribution.ALERTS, CapacityAlert.class).to(t.alertsCapacity(),
        Produced.with(Serdes.String(), serdes.value(CapacityAlert.class)).withName("capacity-alerts-sink"));
    // SPEC 3's two-level split: each usage partition's cost slice goes back to that partition, whose task splits it
    // among the lines it kept and computes the margins there.
    output(attribution, NodeAttribution.SLICES, MarginInput.class).to(t.costSlices(),
        Produced.with(Serdes.String(), serdes.value(MarginInput.class)).withStreamPartitioner(new SlicePartitioner())
            .withName("cost-slices-sink"));
    KStream<String, SpecificRecord> split = b.stream(t.costSlices(), Consumed.with(Serdes.String(),
            serdes.value(MarginInput.class)).withName("cost-slices-source"))
        .process(new PartitionSplit(config), Named.as("usage-split"), StoreNames.USAGE_LINES);
    pricing(output(split, PartitionSplit.PRICING, PricingInput.class), config, serdes);
    KStream<String, MarginInput> shares = output(split, PartitionSplit.SHARES, MarginInput.class);
    margins(shares, config, serdes);
    return b.build();
  }

  /** SPEC 5 and 6: the tenants' margin windows from their shares, with the COST budgets and NEGATIVE_MARGIN alerts. */
  private static void margins(KStream<String, MarginInput> shares, TopologyConfig config, MarginflowSerdes serdes) {
    Topics t = config.topics();
    KStream<String, SpecificRecord> out = shares.process(new TenantMargins(config, serdes.value(TenantWindowState.class),
        serdes.value(BudgetPeriodState.class)), Named.as("tenant-margins"));
    output(out, TenantMargins.ALERTS, BudgetAlert.class).to(t.alertsBudget(),
        Produced.with(Serdes.String(), serdes.value(BudgetAlert.class)).withName("margin-alerts-sink"));
    output(out, TenantMargins.STATUS, BudgetStatus.class).to(t.budgetsStatus(),
        Produced.with(Serdes.String(), serdes.value(BudgetStatus.class)).withName("margin-status-sink"));
    output(out, TenantMargins.MARGINS, TenantMargin.class).to(t.margins(),
        Produced.with(Serdes.String(), serdes.value(TenantMargin.class)).withName("margins-sink"));
  }

  /**
   * One output of a processor that emits several record types: the child node {@code name}, to which the processor
   * forwards that type alone ({@code context.forward(record, name)}), seen as a stream of that type.
   */
  private static <T extends SpecificRecord> KStream<String, T> output(KStream<String, SpecificRecord> outputs, String name,
      Class<T> type) {
    return outputs.mapValues(type::cast, Named.as(name));
  }

  /**
   * SPEC 9: the attribution's region buckets, by region, to the pricing task, which publishes each interval's unit
   * costs per (model, region) once every attribution partition has finalized it.
   */
  private static void pricing(KStream<String, PricingInput> regions, TopologyConfig config, MarginflowSerdes serdes) {
    Topics t = config.topics();
    KStream<String, SpecificRecord> out = regions
        .repartition(Repartitioned.<String, PricingInput>as("pricing-by-region").withKeySerde(Serdes.String())
            .withValueSerde(serdes.value(PricingInput.class))
            .withStreamPartitioner(new ProgressBroadcastPartitioner<>(v -> v.getProgress() != null)))
        .process(new RegionPricing(config, serdes.value(RegionBucket.class),
            serdes.value(MultiplierDecision.class)), Named.as("region-pricing"));
    output(out, RegionPricing.ADJUSTMENTS, PriceAdjustment.class).to(t.pricing(),
        Produced.with(Serdes.String(), serdes.value(PriceAdjustment.class)).withName("price-adjustments-sink"));
    output(out, RegionPricing.FEEDBACK, AttributionInput.class).to(t.pricingFeedback(),
        Produced.with(Serdes.String(), serdes.value(AttributionInput.class))
            .withStreamPartitioner(new ProgressBroadcastPartitioner<>(v -> true)).withName("pricing-feedback-sink"));
    output(out, RegionPricing.UNIT_COSTS, ModelRegionCost.class).to(t.costs(),
        Produced.with(Serdes.String(), serdes.value(ModelRegionCost.class)).withName("unit-costs-sink"));
  }

  private static void referenceData(StreamsBuilder b, Topics t, MarginflowSerdes serdes) {
    b.globalTable(t.pricebook(), Consumed.with(Serdes.String(), serdes.value(PriceBookEntry.class)).withName("pricebook-source"),
        Materialized.<String, PriceBookEntry, KeyValueStore<Bytes, byte[]>>as(StoreNames.PRICEBOOK)
            .withKeySerde(Serdes.String()).withValueSerde(serdes.value(PriceBookEntry.class)));
    b.globalTable(t.nodes(), Consumed.with(Serdes.String(), serdes.value(NodeProfile.class)).withName("nodes-source"),
        Materialized.<String, NodeProfile, KeyValueStore<Bytes, byte[]>>as(StoreNames.NODE_PROFILES)
            .withKeySerde(Serdes.String()).withValueSerde(serdes.value(NodeProfile.class)));
    b.globalTable(t.budgets(), Consumed.with(Serdes.String(), serdes.value(Budget.class)).withName("budgets-source"),
        Materialized.<String, Budget, KeyValueStore<Bytes, byte[]>>as(StoreNames.BUDGETS)
            .withKeySerde(Serdes.String()).withValueSerde(serdes.value(Budget.class)));
    b.addGlobalStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(StoreNames.ENERGY_PRICES), Serdes.String(),
            serdes.value(EnergyPrice.class)).withLoggingDisabled(), t.energyPrices(),
        Consumed.with(Serdes.String(), serdes.value(EnergyPrice.class)).withName("energy-prices-source"), EnergyPriceLoader::new);
  }
}

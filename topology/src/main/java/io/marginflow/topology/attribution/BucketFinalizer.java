package io.marginflow.topology.attribution;

import io.marginflow.topology.pricing.MultiplierSchedule;
import io.marginflow.topology.pricing.PricingSchedule;
import io.marginflow.avro.EnergyPrice;
import io.marginflow.avro.NodeProfile;
import io.marginflow.avro.internal.BucketLineState;
import io.marginflow.avro.internal.BucketShare;
import io.marginflow.avro.internal.CostSlice;
import io.marginflow.avro.internal.MarginInput;
import io.marginflow.avro.internal.NodeBucketState;
import io.marginflow.avro.internal.NodeBucketSummary;
import io.marginflow.topology.config.TopologyConfig;
import io.marginflow.topology.domain.Attribution;
import io.marginflow.topology.domain.BucketCost;
import io.marginflow.topology.domain.BucketLine;
import io.marginflow.topology.domain.LineShare;
import io.marginflow.topology.domain.NodeCosts;
import io.marginflow.topology.metrics.PipelineMetrics;
import io.marginflow.topology.progress.SlicePartitioner;
import io.marginflow.topology.store.BucketKeys;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;
import org.apache.kafka.streams.state.WindowStore;

/**
 * Finalizes one node bucket (SPEC 3): prices it (node profile, energy price in force at its start), splits its cost
 * among the usage partitions in a fixed order, sends each its cost slice and records the node's energy summary.
 */
final class BucketFinalizer {
  private static final int SCALE = 18;
  private final TopologyConfig config;
  private final KeyValueStore<String, ValueAndTimestamp<NodeProfile>> profiles;
  private final KeyValueStore<String, EnergyPrice> energyPrices;
  private final WindowStore<String, NodeBucketSummary> energy;
  private final PipelineMetrics metrics;
  private final Consumer<Record<String, MarginInput>> forward;
  private final PricingSchedule multipliers;

  BucketFinalizer(TopologyConfig config, KeyValueStore<String, ValueAndTimestamp<NodeProfile>> profiles,
      KeyValueStore<String, EnergyPrice> energyPrices, WindowStore<String, NodeBucketSummary> energy,
      PipelineMetrics metrics, Consumer<Record<String, MarginInput>> forward, PricingSchedule multipliers) {
    this.config = config;
    this.profiles = profiles;
    this.energyPrices = energyPrices;
    this.energy = energy;
    this.metrics = metrics;
    this.forward = forward;
    this.multipliers = multipliers;
  }

  /** Finalizes one node bucket: each usage partition's cost slice, and the node's energy summary. */
  void finalizeBucket(long start, String nodeId, NodeBucketState power, List<BucketLineState> bucketLines) {
    NodeBucketState b = power != null ? power : NodeBuckets.empty(nodeId, start);
    ValueAndTimestamp<NodeProfile> profile = profiles.get(nodeId);
    NodeCosts node = profile == null || profile.value() == null ? null : NodeProfiles.costs(profile.value());
    if (node == null) {
      metrics.count("unknown-node-bucket");
      node = NodeCosts.UNKNOWN;
    }
    BigDecimal usdPerKwh = priceAt(node.region(), start);
    BucketCost cost = BucketCost.of(b.getItEnergyJoules(), node, usdPerKwh, config.bucketMs());
    List<BucketLine> lines = new ArrayList<>();
    List<BigDecimal> extras = new ArrayList<>();
    // A fixed order: the lines' arrival order depends on how upstream partitions interleave.
    List<BucketLineState> sorted = new ArrayList<>(bucketLines);
    sorted.sort(java.util.Comparator.comparing(BucketLineState::getTenantId).thenComparing(BucketLineState::getModel)
        .thenComparing(BucketLineState::getRegion));
    for (BucketLineState l : sorted) {
      // SPEC 4: list revenue times the dynamic-pricing multiplier in force for the bucket (decisions take effect on
      // interval boundaries, which are bucket boundaries, so one multiplier holds for every request of the bucket).
      BigDecimal revenue = MultiplierSchedule.apply(l.getRevenueUsd(), multipliers.at(l.getModel(), l.getRegion(), start));
      lines.add(new BucketLine(l.getTenantId(), l.getModel(), l.getRegion(), l.getRequests(), l.getInputTokens(),
          l.getCachedInputTokens(), l.getOutputTokens(), l.getUnpricedRequests(), l.getWeight(), revenue));
      extras.add(config.weights().cacheExtra(l.getCachedInputTokens()));
    }
    BigDecimal idle = BigDecimal.ZERO.setScale(9);
    BigDecimal weightSum = lines.stream().map(BucketLine::weight).reduce(BigDecimal.ZERO, BigDecimal::add);
    double tdp = profile == null || profile.value() == null ? 0 : profile.value().getGpuTdpWatts();
    double avgPower = b.getPowerSamples() == 0 ? 0 : b.getPowerWattsSum() / b.getPowerSamples();
    boolean summary = true;
    for (LineShare s : Attribution.split(cost, lines, extras, node.region())) {
      // The lines are the usage partitions: each gets its slice, the first also the bucket's own pricing figures.
      CostSlice.Builder slice = slice(b, cost, weightSum, node.region(), s).setNodeSummary(summary);
      if (summary) {
        slice.setBucketCostUsd(cost.totalUsd().setScale(9, RoundingMode.HALF_EVEN)).setPowerSamples(b.getPowerSamples())
            .setAvgPowerWatts(avgPower).setGpuTdpWatts(tdp);
        summary = false;
      }
      forward.accept(new Record<>(b.getNodeId(), MarginInput.newBuilder().setSlice(slice.build()).build(),
          b.getBucketStartMs().toEpochMilli()));
      if (Attribution.IDLE.equals(s.line().tenant())) {
        idle = s.totalCostUsd();
      }
    }
    long requests = lines.stream().mapToLong(BucketLine::requests).sum();
    BigDecimal total = cost.totalUsd();
    metrics.meters().bucketFinalized(nodeId, total.signum() == 0 ? 0 : idle.doubleValue() / total.doubleValue(),
        b.getPowerSamples());
    energy.put(b.getNodeId(), NodeBucketSummary.newBuilder().setNodeId(b.getNodeId()).setRegion(node.region())
        .setBucketStartMs(b.getBucketStartMs()).setEnergyKwh(cost.kwh().setScale(SCALE, RoundingMode.HALF_EVEN))
        .setUsdPerKwh(usdPerKwh.setScale(9, RoundingMode.HALF_EVEN))
        .setEnergyCostUsd(cost.energyCostUsd().setScale(9, RoundingMode.HALF_EVEN))
        .setTotalCostUsd(cost.totalUsd().setScale(9, RoundingMode.HALF_EVEN)).setIdleCostUsd(idle)
        .setPowerSamples(b.getPowerSamples())
        .setAvgPowerWatts(avgPower)
        .setGpuTdpWatts(tdp).setRequests(requests).build(), start);
  }

  private BigDecimal priceAt(String region, long bucketStart) {
    try (KeyValueIterator<String, EnergyPrice> it = energyPrices.reverseRange(BucketKeys.entityFirst(region, 0),
        BucketKeys.entityFirst(region, bucketStart))) {
      return it.hasNext() ? it.next().value.getUsdPerKwh() : config.defaultUsdPerKwh();
    }
  }


  /** A line's share of node {@code nodeId}'s bucket as the margin task receives it. */
  static BucketShare share(String nodeId, java.time.Instant bucketStart, LineShare s) {
    BucketLine l = s.line();
    return BucketShare.newBuilder().setTenantId(l.tenant()).setModel(l.model()).setRegion(l.region())
        .setNodeId(nodeId).setBucketStartMs(bucketStart).setRequests(l.requests())
        .setInputTokens(l.inputTokens()).setCachedInputTokens(l.cachedInputTokens()).setOutputTokens(l.outputTokens())
        .setUnpricedRequests(l.unpricedRequests()).setWeight(l.weight().setScale(SCALE, RoundingMode.HALF_EVEN))
        .setEnergyKwh(s.energyKwh().setScale(SCALE, RoundingMode.HALF_EVEN))
        .setRevenueUsd(l.revenueUsd().setScale(SCALE, RoundingMode.HALF_EVEN))
        .setEnergyCostUsd(s.energyCostUsd()).setFixedCostUsd(s.fixedCostUsd()).setCacheSavingsUsd(s.cacheSavingsUsd())
        .build();
  }

  /**
   * A usage partition's slice of the bucket: its allocated cost and energy part, and the
   * node's C, kWh and W, from which the partition splits its slice among its lines. The idle line's slice goes to the
   * partition that {@code __idle__} hashes to, as a key of the usage topic would.
   */
  private CostSlice.Builder slice(NodeBucketState b, BucketCost cost, BigDecimal weightSum, String region, LineShare s) {
    boolean idle = Attribution.IDLE.equals(s.line().tenant());
    int p = idle ? SlicePartitioner.partitionOf(Attribution.IDLE, config.inputPartitions()) : Integer.parseInt(s.line().tenant());
    return CostSlice.newBuilder().setPartition(p).setBucketStartMs(b.getBucketStartMs()).setNodeId(b.getNodeId())
        .setNodeRegion(region).setIdle(idle).setTotalCostUsd(s.totalCostUsd()).setEnergyCostUsd(s.energyCostUsd())
        .setNodeCostUsd(cost.totalUsd().setScale(SCALE, RoundingMode.HALF_EVEN))
        .setNodeEnergyKwh(cost.kwh().setScale(SCALE, RoundingMode.HALF_EVEN))
        .setNodeWeight(weightSum.setScale(SCALE, RoundingMode.HALF_EVEN))
        .setPartitionWeight(s.line().weight().setScale(SCALE, RoundingMode.HALF_EVEN));
  }
}

package io.marginflow.topology.pricing;

import io.marginflow.topology.progress.Markers;
import io.marginflow.topology.store.BucketKeys;
import io.marginflow.schemas.Ids;
import io.marginflow.avro.ModelRegionCost;
import io.marginflow.avro.PriceAdjustment;
import io.marginflow.avro.internal.AttributionInput;
import io.marginflow.avro.internal.ModelSums;
import io.marginflow.avro.internal.MultiplierDecision;
import io.marginflow.avro.internal.PricingFeedback;
import io.marginflow.topology.domain.MarginalCostLaw;
import io.marginflow.topology.domain.PricingController;
import io.marginflow.topology.domain.PricingInterval;
import io.marginflow.topology.domain.PricingLaw;
import io.marginflow.topology.domain.PricingNormal;
import io.marginflow.avro.internal.PricingInput;
import io.marginflow.avro.internal.RegionBucket;
import io.marginflow.topology.config.TopologyConfig;
import io.marginflow.topology.metrics.PipelineMetrics;
import io.marginflow.topology.progress.Progress;
import io.marginflow.topology.store.StoreNames;
import java.math.BigDecimal;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Adds each region bucket to its pricing interval and, when the low watermark of the attribution partitions passes an
 * interval's end, publishes the interval's unit costs per (model, region) and forgets it. The state and the closed-
 * through marker are written in the output's transaction: a restart neither repeats nor loses an interval.
 */
public final class RegionPricingProcessor implements Processor<String, PricingInput, String, SpecificRecord> {
  private static final Logger LOG = LoggerFactory.getLogger(RegionPricingProcessor.class);
  private final TopologyConfig config;
  private final long intervalMs;
  private ProcessorContext<String, SpecificRecord> context;
  private KeyValueStore<String, RegionBucket> intervals;
  private KeyValueStore<String, MultiplierDecision> multipliers;
  private Progress progress;
  private PipelineMetrics metrics;
  private List<String> inputs;

  public RegionPricingProcessor(TopologyConfig config) {
    this.config = config;
    this.intervalMs = config.pricing().intervalMs();
  }

  @Override
  public void init(ProcessorContext<String, SpecificRecord> context) {
    this.context = context;
    this.intervals = context.getStateStore(StoreNames.PRICING_INTERVALS);
    this.multipliers = context.getStateStore(StoreNames.PRICING_MULTIPLIERS);
    this.progress = new Progress(context.getStateStore(StoreNames.PRICING_PROGRESS));
    this.metrics = new PipelineMetrics(context, "pricing");
    this.inputs = Progress.inputs("attribution", config.inputPartitions());
  }

  @Override
  public void process(Record<String, PricingInput> record) {
    PricingInput in = record.value();
    if (in.getBucket() != null) {
      onBucket(in.getBucket());
    } else if (in.getProgress() != null) {
      progress.report(Markers.input("attribution", in.getProgress().getSourcePartition()), in.getProgress().getFinalizedThroughMs());
      close(progress.lowWatermark(inputs));
    }
  }

  private void onBucket(RegionBucket b) {
    long start = Math.floorDiv(b.getStartMs().toEpochMilli(), intervalMs) * intervalMs;
    if (start + intervalMs <= progress.marker(Markers.PRICING_CLOSED_THROUGH)) {
      // Cannot happen while the attribution reports progress only after its buckets; counted and logged if it does.
      metrics.count("region-bucket-after-interval-closed");
      LOG.warn("Region bucket {} {} arrived after its pricing interval closed", Ids.printable(b.getRegion()), b.getStartMs());
      return;
    }
    String key = BucketKeys.timeFirst(start, b.getRegion());
    RegionBucket state = intervals.get(key);
    if (state == null) {
      state = RegionSums.empty(b.getRegion(), start);
    }
    RegionSums.add(state, b);
    intervals.put(key, state);
  }

  /** Publishes every interval ending at or before {@code low}, oldest first. */
  private void close(long low) {
    if (low == Long.MIN_VALUE || low <= progress.marker(Markers.PRICING_CLOSED_THROUGH)) {
      return;
    }
    long through = Math.floorDiv(low, intervalMs) * intervalMs;
    List<KeyValue<String, RegionBucket>> due = BucketKeys.timeFirstUpTo(intervals, through - intervalMs);
    long emitted = Math.max(0, progress.marker(Markers.PRICING_EMITTED));
    int partition = context.recordMetadata().map(m -> m.partition()).orElse(0);
    for (KeyValue<String, RegionBucket> kv : due) {
      long start = kv.value.getStartMs().toEpochMilli();
      String region = kv.value.getRegion();
      for (ModelRegionCost c : RegionSums.unitCosts(kv.value, start + intervalMs, config.weights(),
          model -> inForce(model, region, start))) {
        context.forward(new Record<>(MultiplierSchedule.key(c.getModel(), c.getRegion()), c, context.currentSystemTimeMs()),
            RegionPricing.UNIT_COSTS);
        emitted++;
      }
      if (config.pricingEnabled()) {
        for (ModelSums m : kv.value.getModels()) {
          decide(m, region, start, kv.value, partition);
        }
      }
      intervals.put(kv.key, null);
    }
    progress.setMarker(Markers.PRICING_EMITTED, emitted);
    progress.setMarker(Markers.PRICING_CLOSED_THROUGH, through);
    if (config.pricingEnabled()) {
      // After the decisions, on every partition of the loop topic: the attribution may finalize up to through + I.
      PricingFeedback mark = PricingFeedback.newBuilder().setSourcePartition(partition).setClosedThroughMs(through).build();
      context.forward(new Record<>(Markers.PRICING_KEY, AttributionInput.newBuilder().setPricing(mark).build(),
          context.currentSystemTimeMs()), RegionPricing.FEEDBACK);
    }
  }

  /**
   * The controller's step for one model of a closed interval (SPEC 9): from the margin realized at the multiplier in
   * force during the interval, toward the target, starting from the latest decision. A change takes effect one
   * interval after this interval's end, published as a PriceAdjustment and sent back to the attribution.
   */
  private void decide(ModelSums m, String region, long start, RegionBucket interval, int partition) {
    String key = MultiplierSchedule.key(m.getModel(), region);
    MultiplierDecision d = decision(key);
    double pressure = RegionSums.pressure(interval);
    BigDecimal ratio = RegionSums.marginRatio(m);
    BigDecimal fixed = config.pricing().fixed(region);
    BigDecimal inForce = MultiplierDecisions.at(d, start);
    PricingController.Step step;
    if (fixed != null) {
      step = PricingController.fixed(d.getLatest(), fixed);
    } else if (config.pricing().law() == PricingLaw.MARGINAL_COST) {
      double measured = interval.getPowerToTdpCount() == 0 ? Double.NaN : pressure;
      PricingInterval now = PricingInterval.of(start, inForce, m.getRevenueUsd(), m.getEnergyCostUsd(), m.getEnergyKwh(),
          measured);
      PricingNormal normal = MultiplierDecisions.normal(d);
      step = MarginalCostLaw.step(config.pricing(), d.getLatest(), now, normal);
      d = MultiplierDecisions.withNormal(d, normal == null ? PricingNormal.first(now)
          : normal.next(config.pricing().normalHorizonMs(), now));
      multipliers.put(key, d);
    } else {
      step = PricingController.step(config.pricing(), d.getLatest(), inForce, ratio, pressure);
    }
    if (!step.changed()) {
      return;
    }
    long effective = start + 2 * intervalMs;
    PriceAdjustment a = PriceAdjustment.newBuilder().setModel(m.getModel()).setRegion(region)
        .setPreviousMultiplier(d.getLatest()).setMultiplier(MultiplierDecisions.scaled(step.multiplier()))
        .setEffectiveFromMs(java.time.Instant.ofEpochMilli(effective)).setRealizedMarginRatio(ratio)
        .setComputePressure(pressure).setReason(step.reason()).build();
    context.forward(new Record<>(key, a, context.currentSystemTimeMs()), RegionPricing.ADJUSTMENTS);
    metrics.meters().priceAdjustment(step.multiplier().compareTo(d.getLatest()) > 0);
    PricingFeedback f = PricingFeedback.newBuilder().setSourcePartition(partition).setModel(m.getModel()).setRegion(region)
        .setEffectiveFromMs(effective).setMultiplier(a.getMultiplier()).build();
    context.forward(new Record<>(Markers.PRICING_KEY, AttributionInput.newBuilder().setPricing(f).build(),
        context.currentSystemTimeMs()), RegionPricing.FEEDBACK);
    // The decision, with the normal this interval moved (the marginal-cost law's; none under another law).
    MultiplierDecision next = MultiplierDecisions.decision(step.multiplier(), effective, d.getLatest());
    multipliers.put(key, fixed == null && config.pricing().law() == PricingLaw.MARGINAL_COST
        ? MultiplierDecisions.withNormalOf(next, d) : next);
  }

  private BigDecimal inForce(String model, String region, long atMs) {
    return MultiplierDecisions.at(decision(MultiplierSchedule.key(model, region)), atMs);
  }

  private MultiplierDecision decision(String key) {
    MultiplierDecision d = multipliers.get(key);
    return d == null ? MultiplierDecisions.none() : d;
  }
}

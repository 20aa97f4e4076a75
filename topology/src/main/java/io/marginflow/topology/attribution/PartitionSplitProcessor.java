package io.marginflow.topology.attribution;

import io.marginflow.topology.ingest.KeptLines;
import io.marginflow.topology.pricing.MultiplierSchedule;
import io.marginflow.topology.pricing.PricingSchedule;
import io.marginflow.topology.progress.Markers;
import io.marginflow.avro.internal.AttributionProgress;
import io.marginflow.avro.internal.CostSlice;
import io.marginflow.avro.internal.PricingInput;
import io.marginflow.avro.internal.PricingProgress;
import io.marginflow.avro.internal.RegionBucket;
import io.marginflow.avro.internal.MarginInput;
import io.marginflow.avro.internal.MultiplierChange;
import io.marginflow.avro.internal.PackedLine;
import io.marginflow.schemas.Ids;
import io.marginflow.topology.config.TopologyConfig;
import io.marginflow.topology.domain.Attribution;
import io.marginflow.topology.domain.BucketLine;
import io.marginflow.topology.domain.LineShare;
import io.marginflow.topology.domain.SliceCost;
import io.marginflow.topology.metrics.PipelineMetrics;
import io.marginflow.topology.pricing.RegionSums;
import io.marginflow.topology.progress.Progress;
import io.marginflow.topology.store.StoreNames;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One usage partition's side of the two-level split (SPEC 3): a node's cost slice for this partition is split over
 * the lines kept here, the shares go to the margins and the region sums to pricing; progress marks pass on behind
 * them, and lines whose slice never came are dropped and logged once their bucket is final.
 */
final class PartitionSplitProcessor implements Processor<String, MarginInput, String, SpecificRecord> {
  private static final Logger LOG = LoggerFactory.getLogger(PartitionSplit.class);
  private final TopologyConfig config;
  private ProcessorContext<String, SpecificRecord> context;
  private KeptLines kept;
  private Progress progress;
  private List<String> inputs;
  private PipelineMetrics metrics;
  private PricingSchedule schedule;

  PartitionSplitProcessor(TopologyConfig config) {
    this.config = config;
  }

  @Override
  public void init(ProcessorContext<String, SpecificRecord> context) {
    this.context = context;
    this.kept = new KeptLines(context.getStateStore(StoreNames.USAGE_LINES), null);
    this.progress = new Progress(context.getStateStore(StoreNames.SPLIT_PROGRESS));
    this.inputs = Progress.inputs("attribution", config.inputPartitions());
    this.metrics = new PipelineMetrics(context, "usage-split");
    this.schedule = new PricingSchedule(context.getStateStore(StoreNames.USAGE_PRICING_SCHEDULE));
  }

  @Override
  public void process(Record<String, MarginInput> record) {
    CostSlice slice = record.value().getSlice();
    MultiplierChange change = record.value().getMultiplier();
    if (change != null) {
      // Every node task passes each decision on ahead of the slices it applies to; kept once, whoever sent it.
      schedule.put(change.getModel(), change.getRegion(), change.getEffectiveFromMs(), change.getMultiplier());
      return;
    }
    if (slice == null) {
      AttributionProgress mark = record.value().getProgress();
      // Stamped with its event time, as the node split's share-by-tenant carried it (this topic appends its own).
      context.forward(mark == null ? record : record.withTimestamp(Math.max(mark.getFinalizedThroughMs(), 0)), PartitionSplit.SHARES);
      if (mark != null) {
        onProgress(mark);
      }
      return;
    }
    List<LineShare> shares = split(slice);
    if (shares == null) {
      return;
    }
    long start = slice.getBucketStartMs().toEpochMilli();
    Map<String, RegionBucket> regions = new TreeMap<>();
    for (LineShare s : shares) {
      context.forward(new Record<>(s.line().tenant(), MarginInput.newBuilder()
          .setShare(BucketFinalizer.share(slice.getNodeId(), slice.getBucketStartMs(), s)).build(), start), PartitionSplit.SHARES);
      if (!Attribution.IDLE.equals(s.line().tenant())) {
        RegionSums.addShare(regions.computeIfAbsent(s.line().region(), r -> RegionSums.empty(r, start)), s);
      }
    }
    if (slice.getNodeSummary()) {
      BigDecimal cost = slice.getBucketCostUsd();
      RegionSums.addNodeBucket(regions.computeIfAbsent(slice.getNodeRegion(), r -> RegionSums.empty(r, start)), cost,
          slice.getNodeWeight().signum() == 0 ? cost : BigDecimal.ZERO.setScale(9),
          slice.getPowerSamples(), slice.getAvgPowerWatts(), slice.getGpuTdpWatts());
    }
    for (RegionBucket r : regions.values()) {
      context.forward(new Record<>(r.getRegion(), PricingInput.newBuilder().setBucket(r).build(), start), PartitionSplit.PRICING);
    }
  }

  /**
   * A node task's mark: once every node task has passed a time, every slice before it was split here and its
   * pricing sums sent, so this partition's mark goes to the pricing tasks behind them.
   */
  private void onProgress(AttributionProgress p) {
    progress.report(Markers.input("attribution", p.getSourcePartition()), p.getFinalizedThroughMs());
    long low = progress.lowWatermark(inputs);
    if (low == Long.MIN_VALUE || low <= progress.marker(Markers.PRICING_SENT_THROUGH)) {
      return;
    }
    progress.setMarker(Markers.PRICING_SENT_THROUGH, low);
    dropOrphans(low);
    context.forward(new Record<>(Markers.PROGRESS_KEY, PricingInput.newBuilder()
        .setProgress(new PricingProgress(context.taskId().partition(), low)).build(), Math.max(low, 0)), PartitionSplit.PRICING);
  }

  /**
   * Every node task has sent its slices of the buckets ending by {@code low}: a line of such a bucket still here had
   * its load dropped by the node task (inputs that disagree, e.g. a grace changed between runs). Counted, said, and
   * deleted, so that the store holds only open buckets.
   */
  private void dropOrphans(long low) {
    int orphans = kept.dropThrough(low - config.bucketMs());
    for (int i = 0; i < orphans; i++) {
      metrics.count("line-without-slice");
    }
    if (orphans > 0) {
      LOG.error("{} lines of buckets finalized through {} got no cost slice (partition {}): dropped",
          orphans, low, context.taskId().partition());
    }
  }

  /**
   * The slice among this partition's lines of its (bucket, node), in (tenant, model, region) order; forgets them.
   * Null, counted and said, for a slice that finds none of its lines: at-least-once delivers a slice again after a
   * failure (its lines were split and forgotten the first time); under exactly-once only inputs that disagree do.
   */
  private List<LineShare> split(CostSlice slice) {
    List<PackedLine> lines = kept.take(slice.getBucketStartMs().toEpochMilli(), slice.getNodeId());
    if (lines.isEmpty() && !slice.getIdle()) {
      metrics.count("slice-without-lines");
      LOG.warn("Cost slice of {} at {} for partition {} found no lines here (delivered again after a failure under "
          + "at-least-once, or inputs that disagree): not counted again", Ids.printable(slice.getNodeId()),
          slice.getBucketStartMs(), slice.getPartition());
      return null;
    }
    List<BucketLine> bucketLines = new ArrayList<>(lines.size());
    List<BigDecimal> extras = new ArrayList<>(lines.size());
    BigDecimal keptWeight = BigDecimal.ZERO;
    for (PackedLine l : lines) {
      BigDecimal revenue = MultiplierSchedule.apply(l.getRevenueUsd(),
          schedule.at(l.getModel(), l.getRegion(), slice.getBucketStartMs().toEpochMilli()));
      bucketLines.add(new BucketLine(l.getTenantId(), l.getModel(), l.getRegion(), l.getRequests(), l.getInputTokens(),
          l.getCachedInputTokens(), l.getOutputTokens(), l.getUnpricedRequests(), l.getWeight(), revenue));
      extras.add(config.weights().cacheExtra(l.getCachedInputTokens()));
      keptWeight = keptWeight.add(l.getWeight());
    }
    if (!slice.getIdle() && keptWeight.compareTo(slice.getPartitionWeight()) != 0) {
      // The node task weighed other lines than the ones kept here: a bug or inputs that disagree; said loudly.
      LOG.error("Cost slice of {} at {} for partition {}: weight {} sent, {} kept here", Ids.printable(slice.getNodeId()),
          slice.getBucketStartMs(), slice.getPartition(), slice.getPartitionWeight(), keptWeight);
    }
    SliceCost cost = new SliceCost(slice.getTotalCostUsd(), slice.getEnergyCostUsd(), slice.getNodeCostUsd(),
        slice.getNodeEnergyKwh(), slice.getNodeWeight(), slice.getIdle(), slice.getNodeRegion());
    return Attribution.splitSlice(cost, bucketLines, extras);
  }
}

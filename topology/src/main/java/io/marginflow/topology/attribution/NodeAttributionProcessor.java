package io.marginflow.topology.attribution;

import io.marginflow.topology.pricing.PricingSchedule;
import io.marginflow.topology.progress.Markers;
import io.marginflow.schemas.Ids;
import io.marginflow.topology.store.BeforeCommit;
import io.marginflow.topology.store.CommitBuffer;
import io.marginflow.topology.progress.Progress;
import io.marginflow.avro.CapacityAlert;
import org.apache.avro.specific.SpecificRecord;
import io.marginflow.avro.internal.AttributionInput;
import io.marginflow.avro.internal.AttributionProgress;
import io.marginflow.avro.internal.PricingFeedback;
import io.marginflow.avro.internal.MarginInput;
import io.marginflow.avro.internal.MultiplierChange;
import io.marginflow.avro.internal.PowerReading;
import io.marginflow.avro.internal.UsageLine;
import io.marginflow.avro.internal.Watermark;
import io.marginflow.topology.store.StoreNames;
import io.marginflow.topology.config.TopologyConfig;
import io.marginflow.topology.domain.Buckets;
import io.marginflow.topology.metrics.PipelineMetrics;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps each node's open buckets (power, and request lines summed upstream); when the low watermark over this task's
 * inputs (every usage partition and its own power partition) passes a bucket's end plus grace, hands the bucket to
 * {@link BucketFinalizer} (price, split, shares, energy summary), forgets it and reports how far it has finalized.
 */
final class NodeAttributionProcessor implements Processor<String, AttributionInput, String, SpecificRecord> {
  private static final Logger LOG = LoggerFactory.getLogger(NodeAttributionProcessor.class);

  private final TopologyConfig config;
  private ProcessorContext<String, SpecificRecord> context;
  private ZombieNodes zombies;
  private OpenBuckets open;
  private BucketFinalizer finalizer;
  private Progress progress;
  private PipelineMetrics metrics;
  private List<String> inputs;
  private List<String> pricingInputs;
  private int partition;
  private PricingSchedule schedule;

  NodeAttributionProcessor(TopologyConfig config) {
    this.config = config;
  }

  @Override
  public void init(ProcessorContext<String, SpecificRecord> context) {
    this.context = context;
    // A bucket's power and lines change with many records between two commits: objects until the commit.
    BeforeCommit beforeCommit = new BeforeCommit(context, StoreNames.NODE_BUCKETS_FLUSH, () -> open.flush());
    this.open = new OpenBuckets(CommitBuffer.until(beforeCommit, context.getStateStore(StoreNames.NODE_BUCKETS)),
        CommitBuffer.until(beforeCommit, context.getStateStore(StoreNames.NODE_BUCKET_LINES)));
    this.progress = new Progress(context.getStateStore(StoreNames.ATTRIBUTION_PROGRESS));
    this.metrics = new PipelineMetrics(context, "attribution");
    this.schedule = new PricingSchedule(context.getStateStore(StoreNames.PRICING_SCHEDULE));
    this.finalizer = new BucketFinalizer(config, context.getStateStore(StoreNames.NODE_PROFILES),
        context.getStateStore(StoreNames.ENERGY_PRICES), context.getStateStore(StoreNames.NODE_ENERGY), metrics,
        r -> context.forward(r, NodeAttribution.SLICES), schedule);
    this.pricingInputs = Progress.inputs("pricing", config.inputPartitions());
    this.zombies = new ZombieNodes(config, context.getStateStore(StoreNames.NODE_ENERGY));
    this.partition = context.taskId().partition();
    List<String> expected = new ArrayList<>();
    for (int q = 0; q < config.inputPartitions(); q++) {
      expected.add(Markers.input("usage", q));
    }
    expected.add(Markers.input("power", partition));
    this.inputs = List.copyOf(expected);
  }

  @Override
  public void process(Record<String, AttributionInput> record) {
    AttributionInput in = record.value();
    if (in.getLine() != null || in.getCharge() != null) {
      // A request line of the node split, which earlier releases had (docs/RUNBOOK.md): never mixed in.
      metrics.count("input-of-other-split");
      LOG.warn("Dropping a usage line written by the node split of an earlier release (partition {})", partition);
    } else if (in.getLoad() != null) {
      onLine(NodeBuckets.lineOf(in.getLoad()));
    } else if (in.getPower() != null) {
      onPower(in.getPower());
    } else if (in.getWatermark() != null) {
      onWatermark(in.getWatermark());
    } else if (in.getPricing() != null) {
      onPricing(in.getPricing());
    }
  }

  /** The start of the open bucket holding {@code timestampMs}, or -1 when that bucket is already final. */
  private long openBucket(String node, long timestampMs, String what) {
    long start = Buckets.start(timestampMs, config.bucketMs());
    if (start + config.bucketMs() <= progress.marker(Markers.FINALIZED_THROUGH)) {
      // Ingest sets such records aside as late; reaching here means the inputs disagree (e.g. grace changed).
      metrics.count("late-" + what + "-after-finalization");
      LOG.warn("Dropping {} for {} bucket {}: already finalized through {} (partition {})", what, Ids.printable(node), start,
          progress.marker(Markers.FINALIZED_THROUGH), partition);
      return -1;
    }
    return start;
  }

  /** Requests summed by a usage partition: read, add to and write back their line only. */
  private void onLine(UsageLine u) {
    long start = openBucket(u.getNodeId(), u.getBucketStartMs().toEpochMilli(), "usage");
    if (start >= 0) {
      open.addLine(start, u);
    }
  }

  private void onPower(PowerReading p) {
    long start = openBucket(p.getNodeId(), p.getTimestampMs().toEpochMilli(), "power");
    if (start >= 0 && !open.addPower(start, p)) {
      metrics.count("duplicate-power-sample");
    }
  }

  private void onWatermark(Watermark w) {
    progress.report(Markers.input(w.getSource(), w.getSourcePartition()), w.getWatermarkMs());
    advance();
  }

  /** A pricing decision (kept for the buckets it applies to) or a pricing partition's mark (may open the gate). */
  private void onPricing(PricingFeedback f) {
    if (f.getModel() != null) {
      schedule.put(f.getModel(), f.getRegion(), f.getEffectiveFromMs(), f.getMultiplier());
      // The usage partitions apply it: passed on to every one of them, ahead of the slices that the gate lets out.
      MultiplierChange change = new MultiplierChange(f.getModel(), f.getRegion(), f.getEffectiveFromMs(), f.getMultiplier());
      context.forward(new Record<>(Markers.PRICING_KEY, MarginInput.newBuilder().setMultiplier(change).build(),
          Math.max(f.getEffectiveFromMs(), 0)), NodeAttribution.SLICES);
    } else if (f.getClosedThroughMs() != null) {
      progress.report(Markers.input("pricing", f.getSourcePartition()), f.getClosedThroughMs());
      advance();
    }
  }

  /**
   * How far buckets may be finalized: every input has passed them by the grace, and, with dynamic pricing, every
   * multiplier that can apply to them is known (docs/DESIGN.md, "Dynamic pricing: the loop"): a decision made when an
   * interval closes takes effect an interval after its end, so buckets before the pricing tasks' lowest closed-through
   * mark plus an interval are priced for good. Beyond that gate progress still moves up to the first open bucket (no
   * data can arrive for the buckets in between), so quiet stretches pass at once and the loop starts by itself.
   */
  private long finalizable(long low) {
    long through = Buckets.finalizedThrough(config.bucketMs(), config.graceMs(), low);
    if (!config.pricingEnabled()) {
      return through;
    }
    long closed = progress.lowWatermark(pricingInputs);
    long gate = closed == Long.MIN_VALUE ? Long.MIN_VALUE : closed + config.pricing().intervalMs();
    if (gate >= through) {
      return through;
    }
    long firstOpen = open.firstOpen(Math.max(gate, 0));
    return firstOpen == Long.MAX_VALUE ? through : Math.min(through, Math.max(gate, firstOpen));
  }

  private void advance() {
    long low = progress.lowWatermark(inputs);
    if (low == Long.MIN_VALUE) {
      return;
    }
    long through = finalizable(low);
    long previous = progress.marker(Markers.FINALIZED_THROUGH);
    if (through <= previous) {
      return;
    }
    open.finalizeThrough(through - config.bucketMs(), finalizer::finalizeBucket);
    for (CapacityAlert alert : zombies.closed(previous, through)) {
      context.forward(new Record<>(alert.getNodeId(), alert, alert.getObservedAtMs().toEpochMilli()),
          NodeAttribution.ALERTS);
      metrics.meters().alert(alert.getKind().name());
    }
    progress.setMarker(Markers.FINALIZED_THROUGH, through);
    AttributionProgress done = new AttributionProgress(partition, config.inputPartitions(), through);
    context.forward(new Record<>(Markers.PROGRESS_KEY, MarginInput.newBuilder().setProgress(done).build(),
        Math.max(through, 0)), NodeAttribution.SLICES);
  }
}

package io.marginflow.topology.attribution;

import io.marginflow.topology.store.BucketKeys;
import io.marginflow.topology.progress.Progress;
import io.marginflow.avro.EnergyPrice;
import io.marginflow.avro.NodeProfile;
import io.marginflow.avro.internal.AttributionInput;
import io.marginflow.avro.internal.AttributionProgress;
import io.marginflow.avro.internal.BucketLineState;
import io.marginflow.avro.internal.BucketShare;
import io.marginflow.avro.internal.MarginInput;
import io.marginflow.avro.internal.NodeBucketState;
import io.marginflow.avro.internal.NodeBucketSummary;
import io.marginflow.avro.internal.PowerReading;
import io.marginflow.avro.internal.UsageCharge;
import io.marginflow.avro.internal.UsageLine;
import io.marginflow.avro.internal.Watermark;
import io.marginflow.topology.store.StoreNames;
import io.marginflow.topology.config.TopologyConfig;
import io.marginflow.topology.domain.Attribution;
import io.marginflow.topology.domain.BucketCost;
import io.marginflow.topology.domain.BucketLine;
import io.marginflow.topology.domain.Buckets;
import io.marginflow.topology.domain.LineShare;
import io.marginflow.topology.domain.NodeCosts;
import io.marginflow.topology.metrics.PipelineMetrics;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;
import org.apache.kafka.streams.state.WindowStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps each node's open buckets; when the low watermark over this task's inputs (every usage partition and its
 * own power partition) passes a bucket's end plus grace, prices the bucket, splits it among its request lines,
 * sends the shares on by tenant and then reports how far it has finalized.
 */
final class NodeAttributionProcessor implements Processor<String, AttributionInput, String, MarginInput> {
  static final String FINALIZED = "#finalized-through";
  private static final Logger LOG = LoggerFactory.getLogger(NodeAttributionProcessor.class);
  private static final int SCALE = 18;

  private final TopologyConfig config;
  private ProcessorContext<String, MarginInput> context;
  private KeyValueStore<String, NodeBucketState> buckets;
  private KeyValueStore<String, BucketLineState> lines;
  private KeyValueStore<String, ValueAndTimestamp<NodeProfile>> profiles;
  private KeyValueStore<String, EnergyPrice> energyPrices;
  private WindowStore<String, NodeBucketSummary> energy;
  private Progress progress;
  private PipelineMetrics metrics;
  private List<String> inputs;
  private int partition;

  NodeAttributionProcessor(TopologyConfig config) {
    this.config = config;
  }

  @Override
  public void init(ProcessorContext<String, MarginInput> context) {
    this.context = context;
    this.buckets = context.getStateStore(StoreNames.NODE_BUCKETS);
    this.lines = context.getStateStore(StoreNames.NODE_BUCKET_LINES);
    this.profiles = context.getStateStore(StoreNames.NODE_PROFILES);
    this.energyPrices = context.getStateStore(StoreNames.ENERGY_PRICES);
    this.energy = context.getStateStore(StoreNames.NODE_ENERGY);
    this.progress = new Progress(context.getStateStore(StoreNames.ATTRIBUTION_PROGRESS));
    this.metrics = new PipelineMetrics(context.metrics(), "attribution");
    this.partition = context.taskId().partition();
    List<String> expected = new ArrayList<>();
    for (int q = 0; q < config.inputPartitions(); q++) {
      expected.add("usage:" + q);
    }
    expected.add("power:" + partition);
    this.inputs = List.copyOf(expected);
  }

  @Override
  public void process(Record<String, AttributionInput> record) {
    AttributionInput in = record.value();
    if (in.getLine() != null) {
      onLine(in.getLine());
    } else if (in.getCharge() != null) {
      onCharge(in.getCharge());
    } else if (in.getPower() != null) {
      onPower(in.getPower());
    } else if (in.getWatermark() != null) {
      onWatermark(in.getWatermark());
    }
  }

  /** The start of the open bucket holding {@code timestampMs}, or -1 when that bucket is already final. */
  private long openBucket(String node, long timestampMs, String what) {
    long start = Buckets.start(timestampMs, config.bucketMs());
    if (start + config.bucketMs() <= progress.marker(FINALIZED)) {
      // Ingest sets such records aside as late; reaching here means the inputs disagree (e.g. grace changed).
      metrics.count("late-" + what + "-after-finalization");
      LOG.warn("Dropping {} for {} bucket {}: already finalized through {} (partition {})", what, node, start,
          progress.marker(FINALIZED), partition);
      return -1;
    }
    return start;
  }

  /** Requests summed by a usage partition: read, add to and write back their line only. */
  private void onLine(UsageLine u) {
    long start = openBucket(u.getNodeId(), u.getBucketStartMs().toEpochMilli(), "usage");
    if (start < 0) {
      return;
    }
    String key = BucketKeys.line(BucketKeys.bucket(start, u.getNodeId()), u.getTenantId(), u.getModel(), u.getRegion());
    BucketLineState line = lines.get(key);
    if (line == null) {
      line = NodeBuckets.emptyLine(u.getTenantId(), u.getModel(), u.getRegion());
    }
    NodeBuckets.addLine(line, u);
    lines.put(key, line);
  }

  /** One request, as written by earlier versions (still read while their records drain): a line of one request. */
  private void onCharge(UsageCharge c) {
    onLine(NodeBuckets.lineOf(c, config.weights()));
  }

  private void onPower(PowerReading p) {
    long start = openBucket(p.getNodeId(), p.getTimestampMs().toEpochMilli(), "power");
    if (start < 0) {
      return;
    }
    String key = BucketKeys.bucket(start, p.getNodeId());
    NodeBucketState b = buckets.get(key);
    if (b == null) {
      b = NodeBuckets.empty(p.getNodeId(), start);
    }
    if (NodeBuckets.addPower(b, p)) {
      buckets.put(key, b);
    } else {
      metrics.count("duplicate-power-sample");
    }
  }

  /** A bucket due for finalization: its power (null without samples) and its request lines. */
  private static final class Due {
    NodeBucketState power;
    final List<BucketLineState> lines = new ArrayList<>();
    final List<String> keys = new ArrayList<>();
  }

  private void onWatermark(Watermark w) {
    progress.report(w.getSource() + ":" + w.getSourcePartition(), w.getWatermarkMs());
    long low = progress.lowWatermark(inputs);
    if (low == Long.MIN_VALUE) {
      return;
    }
    long through = Buckets.finalizedThrough(config.bucketMs(), config.graceMs(), low);
    long previous = progress.marker(FINALIZED);
    if (through <= previous) {
      return;
    }
    Map<String, Due> due = new TreeMap<>();
    String from = BucketKeys.bucket(0, "");
    String to = BucketKeys.upTo(Math.max(0, through - config.bucketMs()));
    try (KeyValueIterator<String, NodeBucketState> it = buckets.range(from, to)) {
      it.forEachRemaining(kv -> {
        Due d = due.computeIfAbsent(kv.key, k -> new Due());
        d.power = kv.value;
        d.keys.add(kv.key);
      });
    }
    try (KeyValueIterator<String, BucketLineState> it = lines.range(from, to)) {
      it.forEachRemaining(kv -> {
        Due d = due.computeIfAbsent(BucketKeys.bucketOf(kv.key), k -> new Due());
        d.lines.add(kv.value);
        d.keys.add(kv.key);
      });
    }
    due.forEach((bucketKey, d) -> {
      finalizeBucket(BucketKeys.startOf(bucketKey), BucketKeys.nodeOf(bucketKey), d.power, d.lines);
      for (String key : d.keys) {
        if (key.equals(bucketKey)) {
          buckets.delete(key);
        } else {
          lines.delete(key);
        }
      }
    });
    progress.setMarker(FINALIZED, through);
    AttributionProgress done = new AttributionProgress(partition, config.inputPartitions(), through);
    context.forward(new Record<>("__progress__", MarginInput.newBuilder().setProgress(done).build(), Math.max(through, 0)));
  }

  private void finalizeBucket(long start, String nodeId, NodeBucketState power, List<BucketLineState> bucketLines) {
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
      lines.add(new BucketLine(l.getTenantId(), l.getModel(), l.getRegion(), l.getRequests(), l.getInputTokens(),
          l.getCachedInputTokens(), l.getOutputTokens(), l.getUnpricedRequests(), l.getWeight(), l.getRevenueUsd()));
      extras.add(config.weights().cacheExtra(l.getCachedInputTokens()));
    }
    BigDecimal idle = BigDecimal.ZERO.setScale(9);
    for (LineShare s : Attribution.split(cost, lines, extras, node.region())) {
      forwardShare(b, s);
      if (Attribution.IDLE.equals(s.line().tenant())) {
        idle = s.totalCostUsd();
      }
    }
    long requests = lines.stream().mapToLong(BucketLine::requests).sum();
    double tdp = profile == null || profile.value() == null ? 0 : profile.value().getGpuTdpWatts();
    energy.put(b.getNodeId(), NodeBucketSummary.newBuilder().setNodeId(b.getNodeId()).setRegion(node.region())
        .setBucketStartMs(b.getBucketStartMs()).setEnergyKwh(cost.kwh().setScale(SCALE, RoundingMode.HALF_EVEN))
        .setUsdPerKwh(usdPerKwh.setScale(9, RoundingMode.HALF_EVEN))
        .setEnergyCostUsd(cost.energyCostUsd().setScale(9, RoundingMode.HALF_EVEN))
        .setTotalCostUsd(cost.totalUsd().setScale(9, RoundingMode.HALF_EVEN)).setIdleCostUsd(idle)
        .setPowerSamples(b.getPowerSamples())
        .setAvgPowerWatts(b.getPowerSamples() == 0 ? 0 : b.getPowerWattsSum() / b.getPowerSamples())
        .setGpuTdpWatts(tdp).setRequests(requests).build(), start);
  }

  private BigDecimal priceAt(String region, long bucketStart) {
    try (KeyValueIterator<String, EnergyPrice> it = energyPrices.reverseRange(BucketKeys.entityFirst(region, 0),
        BucketKeys.entityFirst(region, bucketStart))) {
      return it.hasNext() ? it.next().value.getUsdPerKwh() : config.defaultUsdPerKwh();
    }
  }

  private void forwardShare(NodeBucketState b, LineShare s) {
    BucketLine l = s.line();
    BucketShare share = BucketShare.newBuilder().setTenantId(l.tenant()).setModel(l.model()).setRegion(l.region())
        .setNodeId(b.getNodeId()).setBucketStartMs(b.getBucketStartMs()).setRequests(l.requests())
        .setInputTokens(l.inputTokens()).setCachedInputTokens(l.cachedInputTokens()).setOutputTokens(l.outputTokens())
        .setUnpricedRequests(l.unpricedRequests()).setWeight(l.weight().setScale(SCALE, RoundingMode.HALF_EVEN))
        .setEnergyKwh(s.energyKwh().setScale(SCALE, RoundingMode.HALF_EVEN))
        .setRevenueUsd(l.revenueUsd().setScale(SCALE, RoundingMode.HALF_EVEN))
        .setEnergyCostUsd(s.energyCostUsd()).setFixedCostUsd(s.fixedCostUsd()).setCacheSavingsUsd(s.cacheSavingsUsd())
        .build();
    context.forward(new Record<>(l.tenant(), MarginInput.newBuilder().setShare(share).build(),
        b.getBucketStartMs().toEpochMilli()));
  }
}

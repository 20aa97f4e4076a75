package io.marginflow.topology.attribution;

import io.marginflow.avro.internal.CostSlice;
import io.marginflow.avro.internal.MarginInput;
import io.marginflow.avro.internal.UsageLine;
import io.marginflow.topology.config.TopologyConfig;
import io.marginflow.topology.domain.Attribution;
import io.marginflow.topology.domain.BucketLine;
import io.marginflow.topology.domain.LineShare;
import io.marginflow.topology.domain.SliceCost;
import io.marginflow.topology.store.BucketKeys;
import io.marginflow.topology.store.StoreNames;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The usage partition's side of the two-level split (attribution.split=two-level, SPEC 3): a cost slice from a node
 * task is split among this partition's lines of that (bucket, node), which the usage ingest kept in
 * {@link StoreNames#USAGE_LINES}, and each line's share goes on to the margins in this same task; the node tasks'
 * progress marks pass through behind their slices. Every line of the bucket is here when its slice comes: the node
 * task finalizes a bucket only after every usage partition's progress passed it, and a partition sends its lines'
 * loads before its progress.
 */
public final class PartitionSplit implements ProcessorSupplier<String, MarginInput, String, MarginInput> {
  private final TopologyConfig config;

  public PartitionSplit(TopologyConfig config) {
    this.config = config;
  }

  @Override
  public Processor<String, MarginInput, String, MarginInput> get() {
    return new Processor<>() {
      private ProcessorContext<String, MarginInput> context;
      private KeyValueStore<String, UsageLine> lines;

      @Override
      public void init(ProcessorContext<String, MarginInput> context) {
        this.context = context;
        this.lines = context.getStateStore(StoreNames.USAGE_LINES);
      }

      @Override
      public void process(Record<String, MarginInput> record) {
        CostSlice slice = record.value().getSlice();
        if (slice == null) {
          context.forward(record);
          return;
        }
        for (LineShare s : split(slice)) {
          context.forward(new Record<>(s.line().tenant(), MarginInput.newBuilder()
              .setShare(BucketFinalizer.share(slice.getNodeId(), slice.getBucketStartMs(), s)).build(),
              slice.getBucketStartMs().toEpochMilli()));
        }
      }

      /** The slice among this partition's lines of its (bucket, node), in (tenant, model, region) order; forgets them. */
      private List<LineShare> split(CostSlice slice) {
        String prefix = BucketKeys.bucket(slice.getBucketStartMs().toEpochMilli(), slice.getNodeId()) + '|';
        List<KeyValue<String, UsageLine>> kept = new ArrayList<>();
        try (KeyValueIterator<String, UsageLine> it = lines.prefixScan(prefix, new StringSerializer())) {
          it.forEachRemaining(kept::add);
        }
        kept.sort(Comparator.comparing((KeyValue<String, UsageLine> kv) -> kv.value.getTenantId())
            .thenComparing(kv -> kv.value.getModel()).thenComparing(kv -> kv.value.getRegion()));
        List<BucketLine> bucketLines = new ArrayList<>(kept.size());
        List<BigDecimal> extras = new ArrayList<>(kept.size());
        for (KeyValue<String, UsageLine> kv : kept) {
          UsageLine l = kv.value;
          bucketLines.add(new BucketLine(l.getTenantId(), l.getModel(), l.getRegion(), l.getRequests(), l.getInputTokens(),
              l.getCachedInputTokens(), l.getOutputTokens(), l.getUnpricedRequests(), l.getWeight(), l.getRevenueUsd()));
          extras.add(config.weights().cacheExtra(l.getCachedInputTokens()));
          lines.delete(kv.key);
        }
        SliceCost cost = new SliceCost(slice.getTotalCostUsd(), slice.getEnergyCostUsd(), slice.getNodeCostUsd(),
            slice.getNodeEnergyKwh(), slice.getNodeWeight(), slice.getIdle(), slice.getNodeRegion());
        return Attribution.splitSlice(cost, bucketLines, extras);
      }
    };
  }
}

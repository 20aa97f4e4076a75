package io.marginflow.topology.margin;

import io.marginflow.avro.TenantMargin;
import io.marginflow.avro.internal.AttributionProgress;
import io.marginflow.avro.internal.BucketShare;
import io.marginflow.avro.internal.MarginInput;
import io.marginflow.avro.internal.TenantWindowState;
import io.marginflow.topology.StoreNames;
import io.marginflow.topology.attribution.Progress;
import io.marginflow.topology.config.TopologyConfig;
import io.marginflow.topology.config.WindowSpec;
import io.marginflow.topology.ingest.PipelineMetrics;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.WindowStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Adds shares to every window holding their bucket; closes windows as the attribution's low watermark passes. */
final class TenantMarginsProcessor implements Processor<String, MarginInput, String, TenantMargin> {
  static final String FINAL_THROUGH = StoreNames.MARGIN_FINAL_THROUGH;
  private static final Logger LOG = LoggerFactory.getLogger(TenantMarginsProcessor.class);
  private final TopologyConfig config;
  private final Map<WindowSpec, WindowStore<String, TenantWindowState>> stores = new LinkedHashMap<>();
  private WindowStore<String, TenantWindowState> panes;
  private ProcessorContext<String, TenantMargin> context;
  private Progress progress;
  private PipelineMetrics metrics;
  private List<String> inputs;

  TenantMarginsProcessor(TopologyConfig config) {
    this.config = config;
  }

  @Override
  public void init(ProcessorContext<String, TenantMargin> context) {
    this.context = context;
    for (WindowSpec w : config.windows()) {
      stores.put(w, context.getStateStore(StoreNames.tenantMargins(w)));

    }
    this.panes = context.getStateStore(StoreNames.UNIT_ECONOMICS_PANES);
    this.progress = new Progress(context.getStateStore(StoreNames.MARGIN_PROGRESS));
    this.metrics = new PipelineMetrics(context.metrics(), "margins");
    List<String> expected = new ArrayList<>();
    for (int p = 0; p < config.inputPartitions(); p++) {
      expected.add("attribution:" + p);
    }
    this.inputs = List.copyOf(expected);
  }

  @Override
  public void process(Record<String, MarginInput> record) {
    if (record.value().getShare() != null) {
      onShare(record.value().getShare());
    } else if (record.value().getProgress() != null) {
      onProgress(record.value().getProgress());
    }
  }

  private void onShare(BucketShare share) {
    long bucket = share.getBucketStartMs().toEpochMilli();
    for (Map.Entry<WindowSpec, WindowStore<String, TenantWindowState>> e : stores.entrySet()) {
      for (long start : e.getKey().startsContaining(bucket)) {
        TenantWindowState s = e.getValue().fetch(share.getTenantId(), start);
        if (s == null) {
          s = WindowStates.empty();
        } else if (s.getClosed()) {
          metrics.count("share-after-window-final");
          LOG.warn("Share of {} for bucket {} reached window {} {} after it closed", share.getTenantId(), bucket,
              e.getKey().name(), start);
          continue;
        }
        WindowStates.add(s, share);
        e.getValue().put(share.getTenantId(), s, start);
      }
    }
    long pane = Math.floorDiv(bucket, config.paneMs()) * config.paneMs();
    addToGroup(panes, "model|" + share.getModel(), share, pane);
    addToGroup(panes, "region|" + share.getRegion(), share, pane);
  }

  /** Unit economics are partial per partition (keyed by tenant upstream); queries sum them over all partitions. */
  private static void addToGroup(WindowStore<String, TenantWindowState> store, String key, BucketShare share, long start) {
    TenantWindowState s = store.fetch(key, start);
    if (s == null) {
      s = WindowStates.empty();
    }
    WindowStates.add(s, share);
    store.put(key, s, start);
  }

  private void onProgress(AttributionProgress p) {
    progress.report("attribution:" + p.getSourcePartition(), p.getFinalizedThroughMs());
    long low = progress.lowWatermark(inputs);
    long previous = progress.marker(FINAL_THROUGH);
    if (low == Long.MIN_VALUE || low <= previous) {
      return;
    }
    for (Map.Entry<WindowSpec, WindowStore<String, TenantWindowState>> e : stores.entrySet()) {
      closeWindows(e.getKey(), e.getValue(), previous, low);
    }
    progress.setMarker(FINAL_THROUGH, low);
  }

  /** Emits every window ending in (previous, low]: all of its buckets are final. */
  private void closeWindows(WindowSpec w, WindowStore<String, TenantWindowState> store, long previous, long low) {
    long fromStart = previous == Long.MIN_VALUE ? 0 : previous - w.sizeMs() + 1;
    long toStart = low - w.sizeMs();
    if (toStart < fromStart) {
      return;
    }
    List<KeyValue<Windowed<String>, TenantWindowState>> closing = new ArrayList<>();
    try (KeyValueIterator<Windowed<String>, TenantWindowState> it = store.fetchAll(
        java.time.Instant.ofEpochMilli(Math.max(fromStart, 0)), java.time.Instant.ofEpochMilli(toStart))) {
      it.forEachRemaining(closing::add);
    }
    for (KeyValue<Windowed<String>, TenantWindowState> kv : closing) {
      if (kv.value.getClosed()) {
        continue;
      }
      String tenant = kv.key.key();
      long start = kv.key.window().start();
      kv.value.setClosed(true);
      store.put(tenant, kv.value, start);
      // The record's timestamp is when the figure became final (wall clock), not its window's event time: the broker's
      // time-based retention then counts from the writing, so a backfill of last year's usage still yields margins
      // that billing can read for margins.topic-retention (SPEC 5). The window's bounds travel in the payload.
      context.forward(new Record<>(tenant, WindowStates.toMargin(tenant, w, start, kv.value), context.currentSystemTimeMs()));
    }
  }
}

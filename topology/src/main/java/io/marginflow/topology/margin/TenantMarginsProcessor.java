package io.marginflow.topology.margin;

import io.marginflow.topology.progress.Markers;
import io.marginflow.schemas.Ids;
import io.marginflow.avro.BudgetAlert;
import io.marginflow.topology.budget.CostBudgets;
import io.marginflow.topology.budget.NegativeMargins;
import io.marginflow.avro.TenantMargin;
import io.marginflow.topology.budget.BudgetRules;
import org.apache.avro.specific.SpecificRecord;
import io.marginflow.avro.internal.AttributionProgress;
import io.marginflow.avro.internal.BucketShare;
import io.marginflow.avro.internal.MarginInput;
import io.marginflow.avro.internal.TenantWindowState;
import io.marginflow.topology.store.StoreNames;
import io.marginflow.topology.progress.Progress;
import io.marginflow.topology.config.TopologyConfig;
import io.marginflow.topology.config.WindowSpec;
import io.marginflow.topology.metrics.PipelineMetrics;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.WindowStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Adds each share to its tenant's pane (the windows' common step, 1h by default) and, as the attribution's low
 * watermark passes a window's end, emits every tenant's window as the sum of its panes: the hour is one pane, the
 * rolling day 24. A share costs one read and one write whatever the windows; a window is summed once, when it closes.
 */
final class TenantMarginsProcessor implements Processor<String, MarginInput, String, SpecificRecord> {
  private static final Logger LOG = LoggerFactory.getLogger(TenantMarginsProcessor.class);
  private final TopologyConfig config;
  private final long paneMs;
  private WindowStore<String, TenantWindowState> tenantPanes;
  private WindowStore<String, TenantWindowState> groupPanes;
  private ProcessorContext<String, SpecificRecord> context;
  private Progress progress;
  private PipelineMetrics metrics;
  private WindowSpec revenueWindow;
  private List<String> inputs;
  private CostBudgets costBudgets;

  TenantMarginsProcessor(TopologyConfig config) {
    this.config = config;
    this.paneMs = config.paneMs();
  }

  @Override
  public void init(ProcessorContext<String, SpecificRecord> context) {
    this.context = context;
    this.tenantPanes = context.getStateStore(StoreNames.TENANT_MARGIN_PANES);
    this.groupPanes = context.getStateStore(StoreNames.UNIT_ECONOMICS_PANES);
    this.progress = new Progress(context.getStateStore(StoreNames.MARGIN_PROGRESS));
    this.metrics = new PipelineMetrics(context, "margins");
    // Fleet revenue and cost are summed over the smallest tumbling window: each request and cost share counts once.
    this.revenueWindow = config.windows().stream().filter(w -> w.advanceMs() == w.sizeMs())
        .min(java.util.Comparator.comparingLong(WindowSpec::sizeMs)).orElse(null);
    this.inputs = Progress.inputs("attribution", config.inputPartitions());
    this.costBudgets = new CostBudgets(context.getStateStore(StoreNames.BUDGET_COST_PENDING),
        context.getStateStore(StoreNames.BUDGET_COST), context.getStateStore(StoreNames.BUDGETS), config.bucketMs(),
        config.graceMs());
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
    if (earliestWindowEnd(bucket) <= progress.marker(Markers.MARGIN_FINAL_THROUGH)) {
      // Cannot happen while the attribution reports progress only after its shares; counted and logged if it does.
      metrics.count("share-after-window-final");
      LOG.warn("Share of {} for bucket {} arrived after its windows closed (final through {})", Ids.printable(share.getTenantId()), bucket,
          progress.marker(Markers.MARGIN_FINAL_THROUGH));
      return;
    }
    long pane = Math.floorDiv(bucket, paneMs) * paneMs;
    costBudgets.onShare(share.getTenantId(), bucket, share.getEnergyCostUsd().add(share.getFixedCostUsd()));
    add(tenantPanes, share.getTenantId(), share, pane);
    add(groupPanes, "model|" + share.getModel(), share, pane);
    add(groupPanes, "region|" + share.getRegion(), share, pane);
    long first = progress.marker(Markers.MARGIN_FIRST_PANE);
    if (first == Long.MIN_VALUE || pane < first) {
      progress.setMarker(Markers.MARGIN_FIRST_PANE, pane);
    }
  }

  /** The end of the first window to close among those holding {@code bucket}. */
  private long earliestWindowEnd(long bucket) {
    long end = Long.MAX_VALUE;
    for (WindowSpec w : config.windows()) {
      end = Math.min(end, Math.floorDiv(bucket, w.advanceMs()) * w.advanceMs() + w.advanceMs());
    }
    return end;
  }

  /** Unit economics are partial per partition (keyed by tenant upstream); queries sum them over all partitions. */
  private static void add(WindowStore<String, TenantWindowState> store, String key, BucketShare share, long start) {
    TenantWindowState s = store.fetch(key, start);
    if (s == null) {
      s = WindowStates.empty();
    }
    WindowStates.add(s, share);
    store.put(key, s, start);
  }

  private void onProgress(AttributionProgress p) {
    progress.report(Markers.input("attribution", p.getSourcePartition()), p.getFinalizedThroughMs());
    long low = progress.lowWatermark(inputs);
    long previous = progress.marker(Markers.MARGIN_FINAL_THROUGH);
    if (low == Long.MIN_VALUE || low <= previous) {
      return;
    }
    long first = progress.marker(Markers.MARGIN_FIRST_PANE);
    if (first != Long.MIN_VALUE) {
      for (WindowSpec w : config.windows()) {
        closeWindows(w, Math.max(previous, first), low);
      }
    }
    costBudgets.onFinal(low, this::forwardBudgetOutcome);
    progress.setMarker(Markers.MARGIN_FINAL_THROUGH, low);
  }

  private void forwardBudgetOutcome(BudgetRules.Outcome outcome) {
    for (BudgetAlert alert : outcome.alerts()) {
      context.forward(new Record<>(alert.getTenantId(), alert, context.currentSystemTimeMs()), TenantMargins.ALERTS);
      metrics.meters().alert(alert.getKind().name());
    }
    if (outcome.status() != null) {
      context.forward(new Record<>(outcome.status().getTenantId(), outcome.status(), context.currentSystemTimeMs()),
          TenantMargins.STATUS);
    }
  }

  /** Emits every window of {@code w} ending in (after, low]: all of its buckets are final. */
  private void closeWindows(WindowSpec w, long after, long low) {
    long end = Math.floorDiv(after, w.advanceMs()) * w.advanceMs() + w.advanceMs();
    for (; end <= low; end += w.advanceMs()) {
      long start = end - w.sizeMs();
      Map<String, TenantWindowState> sums = MarginPanes.sumByKey(tenantPanes, start, end - paneMs);
      for (Map.Entry<String, TenantWindowState> e : sums.entrySet()) {
        // The record's timestamp is when the figure became final (wall clock), not its window's event time: the
        // broker's time-based retention then counts from the writing, so a backfill of last year's usage still yields
        // margins that billing can read for margins.topic-retention (SPEC 5). The window's bounds are in the payload.
        TenantMargin margin = WindowStates.toMargin(e.getKey(), w, start, e.getValue());
        context.forward(new Record<>(e.getKey(), margin, context.currentSystemTimeMs()), TenantMargins.MARGINS);
        if (w == revenueWindow) {
          metrics.meters().marginFinal(margin.getRevenueUsd().doubleValue(), margin.getTotalCostUsd().doubleValue());
        }
        if (NegativeMargins.alerts(w, margin)) {
          context.forward(new Record<>(e.getKey(), NegativeMargins.alert(margin), context.currentSystemTimeMs()),
              TenantMargins.ALERTS);
          metrics.meters().alert("NEGATIVE_MARGIN");
        }
      }
      if (!sums.isEmpty()) {
        metrics.meters().marginLag((context.currentSystemTimeMs() - end) / 1000.0);
        progress.setMarker(Markers.MARGIN_EMITTED, MarginPanes.emittedCount(progress.marker(Markers.MARGIN_EMITTED)) + sums.size());
      }
    }
  }
}

package io.marginflow.topology.ingest;

import io.marginflow.schemas.Ids;
import io.marginflow.avro.BudgetAlert;
import io.marginflow.avro.PriceBookEntry;
import io.marginflow.topology.budget.BudgetRules;
import io.marginflow.avro.TokenUsage;
import io.marginflow.avro.internal.AttributionInput;
import io.marginflow.avro.internal.PartitionLoad;
import io.marginflow.avro.internal.UsageLine;
import io.marginflow.topology.progress.Progress;
import io.marginflow.topology.store.BeforeCommit;
import io.marginflow.topology.store.StoreNames;
import io.marginflow.topology.budget.SpendBudgets;
import io.marginflow.topology.config.TopologyConfig;
import io.marginflow.topology.domain.Buckets;
import io.marginflow.topology.domain.Prices;
import io.marginflow.topology.domain.Rejection;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Optional;
import java.util.List;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One usage partition's ingest: a valid, on-time, new request is priced, counted against its tenant's SPEND budget and
 * added to its (bucket, node) line; before each commit and progress report the lines go out (sums to the node's task,
 * packs kept here) and the budget outcomes are sent.
 */
final class UsageIngestProcessor extends IngestProcessor<TokenUsage> {
  private static final int REVENUE_SCALE = 18;
  /** Bounds the memory of pending lines; more lines than this between two commits are sent early. */
  private static final int MAX_PENDING_LINES = 50_000;
  private static final Logger LOG = LoggerFactory.getLogger(UsageIngest.class);
  private Deduplicator dedup;
  private KeyValueStore<String, ValueAndTimestamp<PriceBookEntry>> pricebook;
  private UsageLines lines;
  /** The partition's lines, packed per (bucket, node) and commit, until their cost slice comes back. */
  private KeptLines kept;
  private SpendBudgets spend;
  private BeforeCommit beforeCommit;
  private final java.util.Map<String, Optional<Prices>> pricesThisCommit = new java.util.HashMap<>();

  UsageIngestProcessor(TopologyConfig config, Deserializer<TokenUsage> deserializer) {
    super(config, UsageIngest.SOURCE, StoreNames.USAGE_PROGRESS, deserializer);
  }

  @Override
  public void init(ProcessorContext<String, Routed<AttributionInput>> context) {
    super.init(context);
    this.dedup = new Deduplicator(context.getStateStore(StoreNames.USAGE_DEDUP), config.dedupHorizonMs(),
        config.bucketMs() + config.graceMs(), streamTime());
    dedup.addLegacy(context.getStateStore(StoreNames.USAGE_DEDUP_LEGACY), streamTime());
    this.pricebook = context.getStateStore(StoreNames.PRICEBOOK);
    this.lines = new UsageLines(config.weights());
    this.spend = new SpendBudgets(context.getStateStore(StoreNames.BUDGET_SPEND),
        context.getStateStore(StoreNames.BUDGETS), config.graceMs());
    this.beforeCommit = new BeforeCommit(context, StoreNames.USAGE_LINES_FLUSH, this::beforeCommit);
    this.kept = new KeptLines(context.getStateStore(StoreNames.USAGE_LINES),
        new Progress(context.getStateStore(StoreNames.USAGE_PROGRESS)));
    // Kafka Streams may init this same processor again (a task revived after a failure): nothing cached survives.
    pricesThisCommit.clear();
  }

  /**
   * Pending lines go before every progress report (so they precede it downstream) and before every commit; so do the
   * budget periods' changes, and at a progress report the periods that rolled over.
   */
  @Override
  void beforeProgress() {
    sendLines();
    spend.onProgress(streamTime(), this::forwardBudgetOutcome);
  }

  private void beforeCommit() {
    pricesThisCommit.clear();
    sendLines();
    spend.flush();
    dedup.flush();
  }

  private void forwardBudgetOutcome(BudgetRules.Outcome outcome) {
    for (BudgetAlert alert : outcome.alerts()) {
      emit(new Record<>(alert.getTenantId(), Routed.<AttributionInput>alert(alert),
          alert.getObservedAtMs().toEpochMilli()));
      metrics.meters().alert(alert.getKind().name());
    }
    if (outcome.status() != null) {
      emit(new Record<>(outcome.status().getTenantId(), Routed.<AttributionInput>status(outcome.status()),
          outcome.status().getAsOfMs().toEpochMilli()));
    }
  }

  private void sendLines() {
    if (lines.isEmpty()) {
      return;
    }
    // The lines stay here until their cost slice comes back (PartitionSplit); only their loads cross. What was
    // added since the last commit is kept as one record per (bucket, node), not one per line.
    List<UsageLine> added = lines.drain();
    kept.keep(added);
    for (PartitionLoad load : UsageLines.loads(added, partition())) {
      emit(new Record<>(load.getNodeId(), Routed.main(AttributionInput.newBuilder().setLoad(load).build()),
          load.getBucketStartMs().toEpochMilli()));
    }
  }

  /**
   * The model's list prices as the price book has them now: the global store is read once per model and commit (a
   * change applies from the next commit, 100 ms under exactly-once; the global thread applies it at a moment of its
   * own anyway). Null when the model has no entry.
   */
  private Prices prices(String model) {
    return pricesThisCommit.computeIfAbsent(model, m -> {
      ValueAndTimestamp<PriceBookEntry> entry = pricebook.get(m);
      if (entry == null || entry.value() == null) {
        return Optional.empty();
      }
      PriceBookEntry p = entry.value();
      return Optional.of(new Prices(p.getInputUsdPerMtok(), p.getCachedInputUsdPerMtok(), p.getOutputUsdPerMtok()));
    }).orElse(null);
  }

  @Override
  Optional<Rejection> validate(TokenUsage event, long nowMs) {
    return config.validation().check(event, nowMs);
  }

  @Override
  long eventTime(TokenUsage event) {
    return event.getTimestampMs().toEpochMilli();
  }

  @Override
  void accept(TokenUsage u, long ts) {
    if (!dedup.keepIfNew(u.getEventId(), ts, streamTime())) {
      metrics.count("duplicate");
      LOG.debug("Duplicate event {} at {}", Ids.printable(u.getEventId()), ts);
      return;
    }
    Prices prices = prices(u.getModel());
    BigDecimal revenue = BigDecimal.ZERO;
    if (prices == null) {
      metrics.count("unpriced");
    } else {
      revenue = prices.revenue(u.getInputTokens(), u.getCachedInputTokens(), u.getOutputTokens());
    }
    boolean priced = prices != null;
    BigDecimal exact = revenue.setScale(REVENUE_SCALE, RoundingMode.HALF_EVEN);
    spend.onRequest(u.getTenantId(), ts, exact, this::forwardBudgetOutcome);
    lines.add(Buckets.start(ts, config.bucketMs()), u.getNodeId(), u.getTenantId(), u.getModel(), u.getRegion(),
        u.getInputTokens(), u.getCachedInputTokens(), u.getOutputTokens(),
        exact, priced);
    if (!beforeCommit.supported()) {
      beforeCommit();
      return;
    }
    if (lines.size() >= MAX_PENDING_LINES) {
      sendLines();
      spend.flush();
    }
    beforeCommit.arm();
  }

}

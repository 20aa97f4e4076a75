package io.marginflow.topology.budget;

import io.marginflow.topology.store.BucketKeys;
import io.marginflow.avro.Budget;
import io.marginflow.avro.BudgetMetric;
import io.marginflow.avro.internal.BudgetPeriodState;
import io.marginflow.topology.domain.Attribution;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;

/**
 * COST budgets (SPEC 6), checked as buckets finalize: a tenant's attributed cost is known once every share of a
 * bucket has arrived, which is when the margin task's low watermark passes the bucket. Shares wait per (bucket,
 * tenant); as the watermark moves, the buckets it passed are taken in time order, one bucket at a time, each tenant's
 * cost added to its UTC day and month and evaluated by {@link BudgetRules} with the bucket's end as the event time.
 * So the alerts do not depend on how far one progress report moves the watermark nor on the order shares arrive in.
 */
public final class CostBudgets {
  private static final BudgetPosition.Period[] PERIODS = BudgetPosition.Period.values();
  private final KeyValueStore<String, String> pending;
  private final KeyValueStore<String, BudgetPeriodState> periods;
  private final KeyValueStore<String, ValueAndTimestamp<Budget>> budgets;
  private final long bucketMs;
  private final long graceMs;
  /** When the next period ends (roll-over) or a rolled one's grace ends (expiry): the store is scanned only then. */
  private long nextBoundaryMs = Long.MIN_VALUE;

  public CostBudgets(KeyValueStore<String, String> pending, KeyValueStore<String, BudgetPeriodState> periods,
      KeyValueStore<String, ValueAndTimestamp<Budget>> budgets, long bucketMs, long graceMs) {
    this.pending = pending;
    this.periods = periods;
    this.budgets = budgets;
    this.bucketMs = bucketMs;
    this.graceMs = graceMs;
  }

  /** Holds a share's cost until its bucket is final for this partition. */
  public void onShare(String tenant, long bucketStartMs, BigDecimal costUsd) {
    if (Attribution.IDLE.equals(tenant)) {
      return;
    }
    ValueAndTimestamp<Budget> b = budgets.get(tenant);
    if (b == null || b.value() == null || b.value().getMetric() != BudgetMetric.COST) {
      // Only tenants with a COST budget are counted, from when it is known.
      return;
    }
    String key = BucketKeys.timeFirst(bucketStartMs, tenant);
    String held = pending.get(key);
    pending.put(key, (held == null ? costUsd : new BigDecimal(held).add(costUsd)).toPlainString());
  }

  /** Counts every bucket ending at or before {@code finalThroughMs}, oldest first; hands what is owed to {@code out}. */
  public void onFinal(long finalThroughMs, Consumer<BudgetRules.Outcome> out) {
    for (KeyValue<String, String> kv : BucketKeys.timeFirstUpTo(pending, finalThroughMs - bucketMs)) {
      long bucket = BucketKeys.timeOfTimeFirst(kv.key);
      String tenant = BucketKeys.entityOfTimeFirst(kv.key);
      ValueAndTimestamp<Budget> b = budgets.get(tenant);
      for (BudgetPosition.Period period : PERIODS) {
        long start = BudgetPosition.bounds(period, bucket)[0];
        String key = BudgetRules.periodKey(period, start, tenant);
        BudgetPeriodState state = periods.get(key);
        if (state == null) {
          state = BudgetRules.open(tenant, period, bucket);
          nextBoundaryMs = Math.min(nextBoundaryMs, state.getPeriodEndMs());
        }
        BudgetRules.Outcome outcome = BudgetRules.add(state, new BigDecimal(kv.value), bucket + bucketMs,
            b == null ? null : b.value(), BudgetMetric.COST);
        periods.put(key, state);
        if (outcome != BudgetRules.Outcome.NONE) {
          out.accept(outcome);
        }
      }
      pending.put(kv.key, null);
    }
    periodEnds(finalThroughMs, out);
  }

  /**
   * Once costs are final through a period's end: the tenant's next period gets its status (roll-over, as SPEND does
   * at ingest); a rolled period is deleted once costs are final a grace after its end. Scans only when one is due.
   */
  private void periodEnds(long finalThroughMs, Consumer<BudgetRules.Outcome> out) {
    if (finalThroughMs < nextBoundaryMs) {
      return;
    }
    List<String> old = new ArrayList<>();
    List<KeyValue<String, BudgetPeriodState>> ended = new ArrayList<>();
    long next = Long.MAX_VALUE;
    try (KeyValueIterator<String, BudgetPeriodState> it = periods.all()) {
      while (it.hasNext()) {
        KeyValue<String, BudgetPeriodState> kv = it.next();
        long end = kv.value.getPeriodEndMs();
        if (BudgetRules.rolled(kv.value) && end + graceMs < finalThroughMs) {
          old.add(kv.key);
        } else if (!BudgetRules.rolled(kv.value) && end <= finalThroughMs) {
          ended.add(kv);
          next = Math.min(next, end + graceMs);
        } else {
          next = Math.min(next, BudgetRules.rolled(kv.value) ? end + graceMs : end);
        }
      }
    }
    old.forEach(periods::delete);
    for (KeyValue<String, BudgetPeriodState> kv : ended) {
      ValueAndTimestamp<Budget> b = budgets.get(kv.value.getTenantId());
      BudgetRules.Rolled r = BudgetRules.rollOver(kv.value, b == null ? null : b.value(), BudgetMetric.COST);
      periods.put(kv.key, kv.value);
      if (r != null && periods.get(r.key()) == null) {
        periods.put(r.key(), r.state());
        next = Math.min(next, r.state().getPeriodEndMs());
        out.accept(r.outcome());
      }
    }
    nextBoundaryMs = next;
  }
}

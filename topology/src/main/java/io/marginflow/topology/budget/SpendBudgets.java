package io.marginflow.topology.budget;

import io.marginflow.avro.Budget;
import io.marginflow.avro.BudgetMetric;
import io.marginflow.avro.internal.BudgetPeriodState;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;

/**
 * SPEND budgets, checked on every request at ingest (SPEC 6): the revenue per UTC day and month of each tenant with a
 * SPEND budget (counted from when its budget is known: each counted tenant costs a state write per period and commit),
 * with the alerts and status records {@link BudgetRules} owes. A tenant's requests all reach the same usage partition
 * (key tenant_id, SPEC 1), so its amounts live in that partition's task.
 *
 * <p>Open periods are held as objects between commits (a request costs a map lookup, not a store write); the changed
 * ones are written to the store before every commit ({@link #flush}), in the transaction that carries the alerts they
 * emitted, so a restart neither repeats nor loses one. When the partition's stream time passes a period's end, a
 * budgeted tenant that has not been seen in the new period gets its new status (period roll-over: an EXCEEDED tenant
 * is let through again); a period's state is deleted once stream time is past its end plus the grace.
 */
public final class SpendBudgets {
  /** Open periods held in memory at most; the least recently used beyond it go to the store. */
  private static final int MAX_OPEN = 20_000;
  private static final BudgetPosition.Period[] PERIODS = BudgetPosition.Period.values();
  private final KeyValueStore<String, BudgetPeriodState> store;
  private final KeyValueStore<String, ValueAndTimestamp<Budget>> budgets;
  private final long graceMs;
  private final Map<String, BudgetPeriodState> open = new LinkedHashMap<>(1024, 0.75f, true);
  private final Set<String> dirty = new HashSet<>();
  /** Per open period: until when requests cannot change its alerts or status (the exact rules are skipped till then). */
  private final Map<String, BudgetQuiet> quiet = new java.util.HashMap<>();
  /** Budgets read this commit (the global store is read once per tenant and commit; a change applies at the next). */
  private final Map<String, java.util.Optional<Budget>> budgetsThisCommit = new java.util.HashMap<>();
  private long nextBoundaryMs = Long.MIN_VALUE;
  /** The last period bounds computed, per period kind: most requests fall in the period of the one before. */
  private final long[][] lastBounds = new long[PERIODS.length][];

  public SpendBudgets(KeyValueStore<String, BudgetPeriodState> store, KeyValueStore<String, ValueAndTimestamp<Budget>> budgets,
      long graceMs) {
    this.store = store;
    this.budgets = budgets;
    this.graceMs = graceMs;
  }

  /** Counts an accepted request's revenue in its day and month; hands what it owes to {@code out}. */
  public void onRequest(String tenant, long timestampMs, BigDecimal revenueUsd, Consumer<BudgetRules.Outcome> out) {
    Budget budget = budget(tenant);
    if (budget == null || budget.getMetric() != BudgetMetric.SPEND) {
      // Only tenants with a SPEND budget are counted: every counted tenant costs a state write per period and commit.
      return;
    }
    for (BudgetPosition.Period period : PERIODS) {
      long start = start(period, timestampMs);
      String key = BudgetRules.periodKey(period, start, tenant);
      BudgetPeriodState state = load(key);
      if (state == null) {
        state = BudgetRules.open(tenant, period, timestampMs);
        nextBoundaryMs = Math.min(nextBoundaryMs, state.getPeriodEndMs());
      }
      BudgetQuiet q = quiet.get(key);
      BigDecimal sum = state.getAmountUsd().add(revenueUsd);
      if (q != null && q.covers(budget, sum.doubleValue(), timestampMs)) {
        state.setAmountUsd(sum.scale() == BudgetRules.EXACT_SCALE ? sum
            : sum.setScale(BudgetRules.EXACT_SCALE, java.math.RoundingMode.HALF_EVEN));
        state.setAsOfMs(Math.max(state.getAsOfMs(), timestampMs));
        put(key, state);
        continue;
      }
      BudgetRules.Outcome outcome = BudgetRules.add(state, revenueUsd, timestampMs, budget, BudgetMetric.SPEND);
      quiet.put(key, BudgetQuiet.of(state, budget, BudgetMetric.SPEND));
      put(key, state);
      if (outcome != BudgetRules.Outcome.NONE) {
        out.accept(outcome);
      }
    }
  }

  /**
   * At stream time {@code streamTimeMs} of the partition: new statuses of budgeted tenants whose period rolled over, and
   * deletion of periods past their grace. Scans the store only when stream time crosses a period boundary.
   */
  public void onProgress(long streamTimeMs, Consumer<BudgetRules.Outcome> out) {
    if (streamTimeMs < nextBoundaryMs) {
      return;
    }
    flush();
    long next = Long.MAX_VALUE;
    List<KeyValue<String, BudgetPeriodState>> rolled = new ArrayList<>();
    List<String> expired = new ArrayList<>();
    try (KeyValueIterator<String, BudgetPeriodState> all = store.all()) {
      while (all.hasNext()) {
        KeyValue<String, BudgetPeriodState> e = all.next();
        BudgetPeriodState s = e.value;
        boolean wasRolled = BudgetRules.rolled(s);
        if (streamTimeMs >= s.getPeriodEndMs() + graceMs) {
          expired.add(e.key);
          continue;
        }
        if (!wasRolled && streamTimeMs >= s.getPeriodEndMs()) {
          rolled.add(e);
          next = Math.min(next, s.getPeriodEndMs() + graceMs);
        } else {
          next = Math.min(next, wasRolled ? s.getPeriodEndMs() + graceMs : s.getPeriodEndMs());
        }
      }
    }
    for (String key : expired) {
      store.put(key, null);
      open.remove(key);
      quiet.remove(key);
    }
    for (KeyValue<String, BudgetPeriodState> e : rolled) {
      BudgetPeriodState s = e.value;
      BudgetRules.Rolled r = BudgetRules.rollOver(s, budget(s.getTenantId()), BudgetMetric.SPEND);
      put(e.key, s);
      // Only budgeted tenants carry a state into a period they have not been seen in.
      if (r != null && load(r.key()) == null) {
        put(r.key(), r.state());
        next = Math.min(next, r.state().getPeriodEndMs());
        out.accept(r.outcome());
      }
    }
    flush();
    nextBoundaryMs = next;
  }

  /** Writes the periods changed since the last flush; called before every commit and progress report. */
  public void flush() {
    budgetsThisCommit.clear();
    for (String key : dirty) {
      BudgetPeriodState s = open.get(key);
      if (s != null) {
        store.put(key, s);
      }
    }
    dirty.clear();
  }

  private long start(BudgetPosition.Period period, long timestampMs) {
    long[] b = lastBounds[period.ordinal()];
    if (b == null || timestampMs < b[0] || timestampMs >= b[1]) {
      b = BudgetPosition.bounds(period, timestampMs);
      lastBounds[period.ordinal()] = b;
    }
    return b[0];
  }

  private Budget budget(String tenant) {
    return budgetsThisCommit.computeIfAbsent(tenant, t -> {
      ValueAndTimestamp<Budget> b = budgets.get(t);
      return java.util.Optional.ofNullable(b == null ? null : b.value());
    }).orElse(null);
  }

  private BudgetPeriodState load(String key) {
    BudgetPeriodState s = open.get(key);
    if (s == null) {
      s = store.get(key);
      if (s != null) {
        open.put(key, s);
      }
    }
    return s;
  }

  private void put(String key, BudgetPeriodState state) {
    open.put(key, state);
    dirty.add(key);
    if (open.size() > MAX_OPEN) {
      var eldest = open.entrySet().iterator().next();
      if (dirty.remove(eldest.getKey())) {
        store.put(eldest.getKey(), eldest.getValue());
      }
      open.remove(eldest.getKey());
      quiet.remove(eldest.getKey());
    }
  }
}

package io.marginflow.topology.budget;

import io.marginflow.avro.Budget;
import io.marginflow.avro.BudgetMetric;
import io.marginflow.avro.internal.BudgetPeriodState;
import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * After an evaluation of a period's state under {@code budget}: below which amount, and before which event time,
 * adding to the period can change nothing (no threshold, no forecast, no status), so that a caller may skip the exact
 * evaluation of each request until then. Conservative: a forecast's trigger only rises as the period goes on.
 */
public record BudgetQuiet(Budget budget, double belowUsd, long untilMs) {
  private static final int SCALE = 9;

  /** Whether adding {@code amountUsd} at {@code atMs} under budget {@code now} can change nothing. */
  public boolean covers(Budget now, double amountUsd, long atMs) {
    return java.util.Objects.equals(budget, now) && amountUsd < belowUsd && atMs < untilMs;
  }

  /** The quiet bound of {@code s} under {@code budget}, after an evaluation. */
  public static BudgetQuiet of(BudgetPeriodState s, Budget budget, BudgetMetric metric) {
    if (budget == null || budget.getMetric() != metric || !budget.getPeriod().name().equals(s.getPeriod())) {
      return new BudgetQuiet(budget, Double.POSITIVE_INFINITY, Long.MAX_VALUE);
    }
    BigDecimal limitExact = budget.getLimitUsd().setScale(SCALE, RoundingMode.HALF_EVEN);
    double limit = limitExact.doubleValue();
    double amount = s.getAmountUsd().doubleValue();
    double below = Double.POSITIVE_INFINITY;
    for (double t : budget.getThresholds()) {
      if (!s.getEmitted().contains(BudgetRules.thresholdKey(metric, t, limitExact))) {
        below = Math.min(below, t * limit);
      }
    }
    double warn = budget.getThresholds().stream().filter(t -> t < 1.0).mapToDouble(Double::doubleValue).max().orElse(1.0);
    for (double point : new double[] {warn * limit, limit}) {
      if (point > amount) {
        below = Math.min(below, point);
      }
    }
    long until = Long.MAX_VALUE;
    if (!s.getEmitted().contains(BudgetRules.forecastKey(metric, limitExact))) {
      long length = s.getPeriodEndMs() - s.getPeriodStartMs();
      long elapsed = s.getAsOfMs() - s.getPeriodStartMs();
      if (elapsed * 10 < length) {
        until = s.getPeriodStartMs() + (length + 9) / 10;
      } else {
        below = Math.min(below, limit * elapsed / length);
      }
    }
    // A margin for the double arithmetic: close to a boundary the exact evaluation decides. No boundary left (every
    // threshold and the forecast emitted, the limit passed): nothing an amount can change (and infinity minus a margin
    // of infinity would be NaN, below which nothing is).
    return new BudgetQuiet(budget, Double.isInfinite(below) ? below : below - Math.max(Math.abs(below) * 1e-9, 1e-6), until);
  }
}

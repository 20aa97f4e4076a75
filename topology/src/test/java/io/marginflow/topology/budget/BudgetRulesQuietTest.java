package io.marginflow.topology.budget;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.marginflow.avro.Budget;
import io.marginflow.avro.BudgetMetric;
import io.marginflow.avro.BudgetPeriod;
import io.marginflow.avro.internal.BudgetPeriodState;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The quiet bound lets the ingest skip the exact budget rules only where they would emit nothing, and does skip them. */
class BudgetRulesQuietTest {
  private static final long DAY = 1_767_225_600_000L; // 2026-01-01T00:00Z
  private static final long HOUR = 3_600_000L;

  private static Budget daily(String limit, List<Double> thresholds) {
    return Budget.newBuilder().setTenantId("t").setPeriod(BudgetPeriod.DAILY).setMetric(BudgetMetric.SPEND)
        .setLimitUsd(new BigDecimal(limit).setScale(9, RoundingMode.HALF_EVEN)).setThresholds(thresholds).build();
  }

  @Test
  void shouldStayQuietOnceEveryAlertOfThePeriodWasEmitted() {
    Budget budget = daily("10", List.of(0.5, 0.8, 1.0));
    BudgetPeriodState s = BudgetRules.open("t", BudgetPosition.Period.DAILY, DAY + 3 * HOUR);
    // 12 USD by 03:00: past the limit, and on course for far more (a forecast after 10 % of the day).
    BudgetRules.Outcome outcome = BudgetRules.add(s, new BigDecimal("12"), DAY + 3 * HOUR, budget, BudgetMetric.SPEND);
    assertEquals(4, outcome.alerts().size(), "three thresholds and a forecast: " + outcome.alerts());
    BudgetQuiet quiet = BudgetQuiet.of(s, budget, BudgetMetric.SPEND);
    assertTrue(quiet.covers(budget, 13.0, DAY + 4 * HOUR), "nothing left to emit this period: " + quiet);
    assertEquals(BudgetRules.Outcome.NONE,
        BudgetRules.add(s, BigDecimal.ONE, DAY + 4 * HOUR, budget, BudgetMetric.SPEND));
  }

  /**
   * Requests of random sizes through random days, as {@code SpendBudgets} applies them: where the quiet bound covers
   * a request, the exact rules on a copy of the state emit nothing; and most requests are covered.
   */
  @Test
  void shouldSkipOnlyWhatTheExactRulesWouldNotEmit() {
    Random rng = new Random(11);
    int requests = 0;
    int covered = 0;
    for (int day = 0; day < 40; day++) {
      Budget budget = daily(String.valueOf(1 + rng.nextInt(50)), rng.nextBoolean() ? List.of(0.5, 0.8, 1.0)
          : List.of(0.25 + rng.nextDouble() / 2, 1.0));
      long start = DAY + day * 24 * HOUR;
      long t = start + rng.nextInt((int) HOUR);
      BudgetPeriodState s = BudgetRules.open("t", BudgetPosition.Period.DAILY, t);
      BudgetQuiet quiet = null;
      while (t < start + 24 * HOUR) {
        BigDecimal x = BigDecimal.valueOf(rng.nextInt(20_000_000), 9); // up to 0.02 USD
        BigDecimal sum = s.getAmountUsd().add(x);
        requests++;
        if (quiet != null && quiet.covers(budget, sum.doubleValue(), t)) {
          covered++;
          BudgetPeriodState copy = BudgetPeriodState.newBuilder(s).build();
          assertEquals(BudgetRules.Outcome.NONE, BudgetRules.add(copy, x, t, budget, BudgetMetric.SPEND),
              "skipped a request that emits: day " + day + " at " + t + " " + s);
          s.setAmountUsd(sum.setScale(BudgetRules.EXACT_SCALE, RoundingMode.HALF_EVEN));
          s.setAsOfMs(Math.max(s.getAsOfMs(), t));
        } else {
          BudgetRules.add(s, x, t, budget, BudgetMetric.SPEND);
          quiet = BudgetQuiet.of(s, budget, BudgetMetric.SPEND);
        }
        t += rng.nextInt(60_000);
      }
    }
    assertTrue(covered > requests * 0.95, "covered " + covered + " of " + requests);
  }
}

package io.marginflow.topology.budget;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.marginflow.avro.Budget;
import io.marginflow.avro.BudgetAlert;
import io.marginflow.avro.BudgetAlertKind;
import io.marginflow.avro.BudgetMetric;
import io.marginflow.avro.BudgetPeriod;
import io.marginflow.avro.BudgetState;
import io.marginflow.avro.internal.BudgetPeriodState;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;
import org.junit.jupiter.api.Test;

/** SPEC 6's budget rules on one tenant's day, every figure worked out by hand. */
class BudgetRulesTest {
  private static final long DAY = 1_773_100_800_000L; // 2026-03-10T00:00Z
  private static final long HOUR = 3_600_000L;

  private static Budget daily(String limit, BudgetMetric metric) {
    return Budget.newBuilder().setTenantId("t").setPeriod(BudgetPeriod.DAILY).setMetric(metric)
        .setLimitUsd(new BigDecimal(limit).setScale(9, RoundingMode.HALF_EVEN)).setThresholds(List.of(0.5, 0.8, 1.0))
        .build();
  }

  private static BudgetRules.Outcome add(BudgetPeriodState s, String usd, long at, Budget budget) {
    return BudgetRules.add(s, new BigDecimal(usd), at, budget, BudgetMetric.SPEND);
  }

  @Test
  void shouldAlertEachThresholdOnceForecastAfterATenthOfTheDayAndPublishStatusOnlyOnChange() {
    Budget budget = daily("100", BudgetMetric.SPEND);
    BudgetPeriodState s = BudgetRules.open("t", BudgetPosition.Period.DAILY, DAY + HOUR);
    assertEquals(DAY, s.getPeriodStartMs());
    assertEquals(DAY + 24 * HOUR, s.getPeriodEndMs());

    // 40 USD at 01:00: under every threshold; before 10 % of the day (02:24) no forecast; the first status: OK.
    BudgetRules.Outcome first = add(s, "40", DAY + HOUR, budget);
    assertTrue(first.alerts().isEmpty(), first.alerts().toString());
    assertEquals(BudgetState.OK, first.status().getState());
    assertEquals(new BigDecimal("60.000000000"), first.status().getRemainingUsd());
    assertEquals(BudgetRules.Outcome.NONE, add(s, "1", DAY + HOUR, budget), "41 USD: nothing changed");

    // 55 USD at 02:00: 50 % crossed; still before 02:24, so no forecast; status unchanged (WARNING starts at 80 %).
    BudgetRules.Outcome half = add(s, "14", DAY + 2 * HOUR, budget);
    assertEquals(List.of(BudgetAlertKind.THRESHOLD), half.alerts().stream().map(BudgetAlert::getKind).toList());
    assertEquals(0.5, half.alerts().get(0).getThreshold());
    assertEquals(new BigDecimal("55.000000000"), half.alerts().get(0).getAmountUsd());
    assertNull(half.status());

    // 86 USD at 03:00: 80 % crossed, WARNING; the day projects to 86 x 24 / 3 = 688 USD > 100: FORECAST, the limit
    // reached at 3 h x 100 / 86 = 12,558,140 ms (rounded up) after midnight.
    BudgetRules.Outcome warn = add(s, "31", DAY + 3 * HOUR, budget);
    assertEquals(List.of(BudgetAlertKind.THRESHOLD, BudgetAlertKind.FORECAST),
        warn.alerts().stream().map(BudgetAlert::getKind).toList());
    assertEquals(0.8, warn.alerts().get(0).getThreshold());
    assertEquals(new BigDecimal("688.000000000"), warn.alerts().get(1).getProjectedUsd());
    assertEquals(DAY + 12_558_140L, warn.alerts().get(1).getBreachAtMs().toEpochMilli());
    assertEquals(BudgetState.WARNING, warn.status().getState());

    // 100 USD at 04:00: the limit, EXCEEDED; the forecast is not repeated.
    BudgetRules.Outcome over = add(s, "14", DAY + 4 * HOUR, budget);
    assertEquals(List.of(BudgetAlertKind.THRESHOLD), over.alerts().stream().map(BudgetAlert::getKind).toList());
    assertEquals(BudgetState.EXCEEDED, over.status().getState());
    assertEquals(new BigDecimal("0E-9"), over.status().getRemainingUsd());
  }

  @Test
  void shouldReArmWhenTheLimitChangesAndIgnoreABudgetOfAnotherMetric() {
    BudgetPeriodState s = BudgetRules.open("t", BudgetPosition.Period.DAILY, DAY + HOUR);
    assertEquals(1, add(s, "60", DAY + HOUR, daily("100", BudgetMetric.SPEND)).alerts().size(), "50 % of 100");
    BudgetRules.Outcome raised = BudgetRules.evaluate(s, DAY + HOUR, daily("110", BudgetMetric.SPEND), BudgetMetric.SPEND);
    BudgetAlert again = raised.alerts().get(0);
    assertEquals(0.5, again.getThreshold(), "60 USD is 50 % of 110 too: a new limit re-arms its thresholds");
    assertEquals(new BigDecimal("110.000000000"), again.getLimitUsd());
    assertNotEquals(BudgetRules.alertId("t", "DAILY", DAY, "THRESHOLD|SPEND|0.5|100.000000000"), again.getAlertId());
    assertEquals(BudgetRules.alertId("t", "DAILY", DAY, "THRESHOLD|SPEND|0.5|110.000000000"), again.getAlertId(),
        "the id names what makes the alert once-only");
    assertEquals(BudgetRules.Outcome.NONE, add(s, "1000", DAY + 2 * HOUR, daily("1", BudgetMetric.COST)),
        "a COST budget is not the SPEND period's");
  }

  @Test
  void shouldRollOverIntoAFreshPeriodThatLetsAnExceededTenantThrough() {
    Budget budget = daily("10", BudgetMetric.SPEND);
    BudgetPeriodState s = BudgetRules.open("t", BudgetPosition.Period.DAILY, DAY + HOUR);
    add(s, "12", DAY + HOUR, budget);
    BudgetRules.Rolled next = BudgetRules.rollOver(s, budget, BudgetMetric.SPEND);
    assertTrue(BudgetRules.rolled(s));
    assertEquals(BudgetRules.periodKey(BudgetPosition.Period.DAILY, DAY + 24 * HOUR, "t"), next.key());
    assertEquals(0, next.state().getAmountUsd().signum());
    assertEquals(BudgetState.OK, next.outcome().status().getState());
    assertNull(BudgetRules.rollOver(BudgetRules.open("u", BudgetPosition.Period.DAILY, DAY), null, BudgetMetric.SPEND),
        "no budget: nothing to carry over");
  }

  @Test
  void shouldStateOkWarningExceededFromTheHighestThresholdBelowTheLimit() {
    List<Double> thresholds = List.of(0.5, 0.9, 1.0);
    BigDecimal limit = new BigDecimal("200");
    assertEquals(BudgetState.OK, BudgetRules.state(new BigDecimal("179.99"), limit, thresholds));
    assertEquals(BudgetState.WARNING, BudgetRules.state(new BigDecimal("180"), limit, thresholds));
    assertEquals(BudgetState.EXCEEDED, BudgetRules.state(new BigDecimal("200"), limit, thresholds));
    assertEquals(BudgetState.OK, BudgetRules.state(new BigDecimal("199"), limit, List.of(1.0)), "no warning level");
  }
}

package io.marginflow.topology.budget;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.marginflow.topology.budget.BudgetPosition.Period;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** SPEC 6 and 8: budget periods, thresholds, projection and breach time, checked by hand. */
class BudgetPositionTest {
  private static long at(String instant) {
    return Instant.parse(instant).toEpochMilli();
  }

  @Test
  void shouldUseUtcCalendarDaysAndMonthsOfEveryLength() {
    assertArrayEquals(new long[] {at("2026-01-05T00:00:00Z"), at("2026-01-06T00:00:00Z")},
        BudgetPosition.bounds(Period.DAILY, at("2026-01-05T23:59:59.999Z")));
    assertArrayEquals(new long[] {at("2026-02-01T00:00:00Z"), at("2026-03-01T00:00:00Z")},
        BudgetPosition.bounds(Period.MONTHLY, at("2026-02-14T12:00:00Z")));
    assertArrayEquals(new long[] {at("2028-02-01T00:00:00Z"), at("2028-03-01T00:00:00Z")},
        BudgetPosition.bounds(Period.MONTHLY, at("2028-02-29T08:00:00Z")));
    assertArrayEquals(new long[] {at("2026-12-01T00:00:00Z"), at("2027-01-01T00:00:00Z")},
        BudgetPosition.bounds(Period.MONTHLY, at("2026-12-31T23:00:00Z")));
  }

  @Test
  void shouldProjectLinearlyAndTellWhenTheLimitIsReached() {
    // 6 h of a 24 h day: 25 USD spent projects to 100 USD; at 25 USD per 6 h, 80 USD is reached after 19.2 h.
    BudgetPosition p = BudgetPosition.of(Period.DAILY, new BigDecimal("25"), new BigDecimal("80"), List.of(0.25, 0.5, 1.0),
        at("2026-01-05T06:00:00Z"));
    assertEquals(new BigDecimal("100.000000000"), p.projectedUsd());
    assertEquals(at("2026-01-05T19:12:00Z"), p.breachAtMs());
    assertEquals(List.of(0.25), p.thresholdsCrossed(), "25 >= 0.25 x 80 = 20, < 40");
    assertEquals(new BigDecimal("25.000000000"), p.amountUsd());
  }

  @Test
  void shouldNotProjectBeforeTenPercentOfThePeriodNorReportABreachAfterItsEnd() {
    // 2 h of 24 h is 8.3 %: no projection yet.
    assertNull(BudgetPosition.of(Period.DAILY, new BigDecimal("50"), new BigDecimal("80"), List.of(1.0),
        at("2026-01-05T02:00:00Z")).projectedUsd());
    // 12 h, 30 USD: projects to 60, under the limit: no breach this period.
    BudgetPosition under = BudgetPosition.of(Period.DAILY, new BigDecimal("30"), new BigDecimal("80"), List.of(0.5),
        at("2026-01-05T12:00:00Z"));
    assertEquals(new BigDecimal("60.000000000"), under.projectedUsd());
    assertNull(under.breachAtMs());
    assertEquals(List.of(), under.thresholdsCrossed());
    // Nothing spent: projection 0, no breach.
    BudgetPosition none = BudgetPosition.of(Period.MONTHLY, BigDecimal.ZERO, BigDecimal.TEN, List.of(0.5),
        at("2026-01-20T00:00:00Z"));
    assertEquals(new BigDecimal("0E-9"), none.projectedUsd());
    assertNull(none.breachAtMs());
  }

  @Test
  void shouldDateAPastBreachWhenTheLimitIsAlreadyExceeded() {
    // 10 days into a 31-day month, 15 USD of a 10 USD limit: reached after 10 x 10/15 = 6.667 days, rounded up to the ms.
    BudgetPosition p = BudgetPosition.of(Period.MONTHLY, new BigDecimal("15"), BigDecimal.TEN, List.of(0.5, 0.8, 1.0),
        at("2026-01-11T00:00:00Z"));
    assertEquals(List.of(0.5, 0.8, 1.0), p.thresholdsCrossed());
    assertEquals(at("2026-01-01T00:00:00Z") + 576_000_000L, p.breachAtMs());
    assertEquals(new BigDecimal("46.500000000"), p.projectedUsd(), "15 x 31 / 10");
  }

  @Test
  void shouldProjectOverTheDaysOfALeapFebruary() {
    // 14 of February 2028's 29 days, 14 USD: projects to 29 USD (28 in a common year); a 20 USD limit is reached
    // after 20 days, on 2028-02-21T00:00Z.
    BudgetPosition p = BudgetPosition.of(Period.MONTHLY, new BigDecimal("14"), new BigDecimal("20"), List.of(1.0),
        at("2028-02-15T00:00:00Z"));
    assertEquals(new BigDecimal("29.000000000"), p.projectedUsd());
    assertEquals(at("2028-02-21T00:00:00Z"), p.breachAtMs());
    BudgetPosition common = BudgetPosition.of(Period.MONTHLY, new BigDecimal("14"), new BigDecimal("20"), List.of(1.0),
        at("2027-02-15T00:00:00Z"));
    assertEquals(new BigDecimal("28.000000000"), common.projectedUsd());
  }
}

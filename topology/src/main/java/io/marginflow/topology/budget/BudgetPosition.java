package io.marginflow.topology.budget;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * A budget's position in its period (SPEC 6, 8): the UTC calendar period holding an instant, the thresholds the
 * period-to-date amount has crossed, and, once 10 % of the period has elapsed, the linear projection to the period's
 * end and the instant the limit is reached at the period-to-date rate.
 *
 * @param projectedUsd {@code amount x length / elapsed}, null before 10 % of the period has elapsed
 * @param breachAtMs when the amount reaches the limit at the period-to-date rate, null unless that falls before the
 *     period's end (projection above the limit)
 */
public record BudgetPosition(long periodStartMs, long periodEndMs, BigDecimal amountUsd, BigDecimal limitUsd,
    List<Double> thresholdsCrossed, BigDecimal projectedUsd, Long breachAtMs) {
  private static final int SCALE = 9;

  /** Budget periods: UTC calendar days and months. */
  public enum Period { DAILY, MONTHLY }

  /** [start, end) of the UTC calendar period of kind {@code period} holding {@code atMs}. */
  public static long[] bounds(Period period, long atMs) {
    ZonedDateTime day = Instant.ofEpochMilli(atMs).atZone(ZoneOffset.UTC).truncatedTo(ChronoUnit.DAYS);
    ZonedDateTime start = period == Period.DAILY ? day : day.withDayOfMonth(1);
    ZonedDateTime end = period == Period.DAILY ? start.plusDays(1) : start.plusMonths(1);
    return new long[] {start.toInstant().toEpochMilli(), end.toInstant().toEpochMilli()};
  }

  /** The position of {@code amountUsd} spent (or cost) in the period holding {@code asOfMs}. */
  public static BudgetPosition of(Period period, BigDecimal amountUsd, BigDecimal limitUsd, List<Double> thresholds,
      long asOfMs) {
    long[] b = bounds(period, asOfMs);
    BigDecimal amount = amountUsd.setScale(SCALE, RoundingMode.HALF_EVEN);
    List<Double> crossed = new ArrayList<>();
    for (double t : thresholds) {
      if (amount.compareTo(limitUsd.multiply(BigDecimal.valueOf(t))) >= 0) {
        crossed.add(t);
      }
    }
    long length = b[1] - b[0];
    long elapsed = asOfMs - b[0];
    BigDecimal projected = null;
    Long breachAt = null;
    if (elapsed > 0 && elapsed * 10 >= length) {
      projected = amount.multiply(BigDecimal.valueOf(length)).divide(BigDecimal.valueOf(elapsed), MathContext.DECIMAL128)
          .setScale(SCALE, RoundingMode.HALF_EVEN);
      if (amount.signum() > 0 && projected.compareTo(limitUsd) > 0) {
        // amount grows at amount / elapsed per ms: the limit is reached elapsed x limit / amount after the start.
        breachAt = b[0] + BigDecimal.valueOf(elapsed).multiply(limitUsd).divide(amount, 0, RoundingMode.CEILING).longValueExact();
      }
    }
    return new BudgetPosition(b[0], b[1], amount, limitUsd, List.copyOf(crossed), projected, breachAt);
  }
}

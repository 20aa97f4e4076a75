package io.marginflow.topology.domain;

import java.math.BigDecimal;
import java.math.MathContext;

/** The cost-relevant profile of a node (SPEC 1, 3); {@link #UNKNOWN} is attribution.default-node. */
public record NodeCosts(String region, BigDecimal pue, BigDecimal hardwareCostUsd, BigDecimal amortizationYears,
    BigDecimal hourlyOverheadUsd) {
  /** The profile used for a node without a NodeProfile: region default, PUE 1, no fixed cost. */
  public static final NodeCosts UNKNOWN = new NodeCosts("default", BigDecimal.ONE, BigDecimal.ZERO, BigDecimal.ONE,
      BigDecimal.ZERO);
  static final MathContext MC = MathContext.DECIMAL128;
  private static final BigDecimal HOURS_PER_YEAR = BigDecimal.valueOf(8766);
  private static final BigDecimal MS_PER_HOUR = BigDecimal.valueOf(3_600_000);

  /** Amortization plus overhead for a bucket of {@code bucketMs} (exact to 34 digits). */
  public BigDecimal fixedCost(long bucketMs) {
    BigDecimal amortizedPerHour = amortizationYears.signum() == 0 ? BigDecimal.ZERO
        : hardwareCostUsd.divide(amortizationYears.multiply(HOURS_PER_YEAR), MC);
    return amortizedPerHour.add(hourlyOverheadUsd).multiply(BigDecimal.valueOf(bucketMs)).divide(MS_PER_HOUR, MC);
  }
}

package io.marginflow.topology.domain;

import java.math.BigDecimal;
import java.math.MathContext;

/** The cost of one node bucket (SPEC 3): facility energy, its price, and the fixed cost. Values exact to 34 digits. */
public record BucketCost(BigDecimal kwh, BigDecimal energyCostUsd, BigDecimal fixedCostUsd) {
  private static final BigDecimal JOULES_PER_KWH = BigDecimal.valueOf(3_600_000);
  private static final BigDecimal MS_PER_S = BigDecimal.valueOf(1000);

  /** IT energy of one sample, joules: avg_power_watts * interval_ms / 1000. */
  public static BigDecimal joules(double avgPowerWatts, long intervalMs) {
    return BigDecimal.valueOf(avgPowerWatts).multiply(BigDecimal.valueOf(intervalMs)).divide(MS_PER_S);
  }

  /** The cost of a bucket whose samples drew {@code itJoules}, priced at {@code usdPerKwh}. */
  public static BucketCost of(BigDecimal itJoules, NodeCosts node, BigDecimal usdPerKwh, long bucketMs) {
    BigDecimal kwh = itJoules.multiply(node.pue()).divide(JOULES_PER_KWH, MathContext.DECIMAL128);
    return new BucketCost(kwh, kwh.multiply(usdPerKwh, MathContext.DECIMAL128), node.fixedCost(bucketMs));
  }

  public BigDecimal totalUsd() {
    return energyCostUsd.add(fixedCostUsd);
  }
}

package io.marginflow.topology.domain;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/** The money figures of a margin record (SPEC 5), from exact revenue and nano-dollar costs. */
public record MarginFigures(BigDecimal revenueUsd, BigDecimal energyCostUsd, BigDecimal fixedCostUsd,
    BigDecimal totalCostUsd, BigDecimal grossMarginUsd, BigDecimal marginRatio) {
  private static final int SCALE = 9;

  /** Revenue rounded half-even to nano-dollars; margin ratio null when revenue is 0. */
  public static MarginFigures of(BigDecimal exactRevenue, BigDecimal energyCost, BigDecimal fixedCost) {
    BigDecimal revenue = exactRevenue.setScale(SCALE, RoundingMode.HALF_EVEN);
    BigDecimal energy = energyCost.setScale(SCALE, RoundingMode.HALF_EVEN);
    BigDecimal fixed = fixedCost.setScale(SCALE, RoundingMode.HALF_EVEN);
    BigDecimal total = energy.add(fixed);
    BigDecimal gross = revenue.subtract(total);
    BigDecimal ratio = revenue.signum() == 0 ? null
        : gross.divide(revenue, MathContext.DECIMAL128).setScale(SCALE, RoundingMode.HALF_EVEN);
    return new MarginFigures(revenue, energy, fixed, total, gross, ratio);
  }
}

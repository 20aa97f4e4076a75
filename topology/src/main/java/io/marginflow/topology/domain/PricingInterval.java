package io.marginflow.topology.domain;

import java.math.BigDecimal;
import java.math.MathContext;

/**
 * One pricing interval's figures for a (model, region), as the marginal-cost law reads them: its own marginal-cost
 * multiplier ({@code energy cost / list revenue}, null without revenue or energy cost), the energy price it paid
 * (energy cost over kWh, null when unknown), the region's compute pressure (mean GPU power over TDP, clamped to [0, 1];
 * {@code NaN} when not measured), its energy and its list revenue (revenue over the multiplier it was earned at; NaN
 * when unknown).
 */
public record PricingInterval(long startMs, BigDecimal marginal, BigDecimal energyPrice, double pressure, double kwh,
    double listRevenueUsd) {
  private static final MathContext MC = MathContext.DECIMAL128;

  /** From the interval's revenue (earned at {@code inForce}), energy cost, energy and the region's pressure. */
  public static PricingInterval of(long startMs, BigDecimal inForce, BigDecimal revenueUsd, BigDecimal energyCostUsd,
      BigDecimal energyKwh, double pressure) {
    boolean hasEnergy = energyCostUsd != null && energyKwh != null && energyKwh.signum() > 0;
    BigDecimal list = revenueUsd == null || revenueUsd.signum() <= 0 || inForce.signum() <= 0 ? null
        : revenueUsd.divide(inForce, MC);
    return new PricingInterval(startMs, MarginalCostLaw.marginal(inForce, revenueUsd, energyCostUsd),
        hasEnergy ? energyCostUsd.divide(energyKwh, MC) : null, Double.isNaN(pressure) ? Double.NaN
            : Math.max(0, Math.min(1, pressure)), hasEnergy ? energyKwh.doubleValue() : Double.NaN,
        list == null ? Double.NaN : list.doubleValue());
  }
}

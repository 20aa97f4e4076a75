package io.marginflow.topology.domain;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.Locale;

/**
 * A control law that prices from cost and load instead of a margin ratio (pricing.law=marginal-cost). The multiplier
 * at which a (model, region)'s price just covers its marginal cost is {@code m_mc = energy cost / list revenue} (energy
 * at the price in force; the hardware and overhead are owed whether a GPU serves or idles). The law's target runs from
 * that floor (no lower than pricing.floor) at no compute pressure to pricing.ceiling at full pressure:
 * {@code target = lo + (ceiling - lo) p}, {@code lo = max(floor, m_mc)}. Each interval moves half the way there,
 * truncated toward the current multiplier to 4 decimals, at most pricing.max-step, not at all inside
 * pricing.deadband; it cuts only while pressure is below {@link #CUTS_BELOW} (GPUs to fill), and never leaves a
 * price below marginal cost: a multiplier under {@code lo} goes at least to {@code lo} at once (beyond max-step if need
 * be; {@code lo} is capped at the ceiling, where a marginal cost above it leaves the price, and the reason says so).
 * Dear energy raises {@code m_mc} and with it the target; busy GPUs raise the target; idle GPUs lower it toward what
 * serving costs.
 */
public final class MarginalCostLaw {
  /** Compute pressure at or above which the law does not cut. */
  public static final double CUTS_BELOW = 0.5;
  private static final BigDecimal GAIN = new BigDecimal("0.5");
  private static final int SCALE = 4;
  private static final MathContext MC = MathContext.DECIMAL128;

  private MarginalCostLaw() {
  }

  /**
   * One interval's step.
   *
   * @param current the latest multiplier decided
   * @param inForce the multiplier the interval's revenue was earned at
   * @param revenueUsd the interval's revenue (at {@code inForce})
   * @param energyCostUsd the energy part of the interval's attributed cost
   * @param pressure the region's compute pressure (mean GPU power over TDP, 0 to 1)
   */
  public static PricingController.Step step(PricingPolicy policy, BigDecimal current, BigDecimal inForce,
      BigDecimal revenueUsd, BigDecimal energyCostUsd, double pressure) {
    if (revenueUsd == null || revenueUsd.signum() <= 0 || inForce.signum() <= 0 || energyCostUsd == null) {
      return withoutCost(policy, current, energyCostUsd == null, pressure);
    }
    double p = Double.isFinite(pressure) ? Math.max(0, Math.min(1, pressure)) : 0;
    BigDecimal list = revenueUsd.divide(inForce, MC);
    BigDecimal marginal = energyCostUsd.max(BigDecimal.ZERO).divide(list, MC).setScale(SCALE, RoundingMode.CEILING);
    BigDecimal lo = marginal.max(policy.floor()).min(policy.ceiling());
    BigDecimal target = lo.add(policy.ceiling().subtract(lo).multiply(BigDecimal.valueOf(p), MC));
    BigDecimal delta = target.subtract(current).multiply(GAIN, MC).setScale(SCALE, RoundingMode.DOWN);
    String why = String.format(Locale.ROOT, "marginal cost at %s, pressure %.2f, target %s", PricingController.plain(
        marginal), p, PricingController.plain(target.setScale(SCALE, RoundingMode.HALF_EVEN)));
    BigDecimal capped = delta.abs().compareTo(policy.maxStep()) > 0
        ? policy.maxStep().multiply(BigDecimal.valueOf(delta.signum())) : delta;
    BigDecimal next = current.add(capped).max(lo).min(policy.ceiling());
    if (current.compareTo(lo) < 0 || current.compareTo(policy.ceiling()) > 0) {
      return new PricingController.Step(next, true, why + ": " + PricingController.plain(current) + " -> "
          + PricingController.plain(next) + forced(policy, current, marginal));
    }
    if (delta.signum() < 0 && p >= CUTS_BELOW) {
      return new PricingController.Step(current, false, "held at " + PricingController.plain(current) + ": " + why
          + ", no cut while GPUs are busy");
    }
    BigDecimal change = next.subtract(current).abs();
    if (change.signum() == 0 || change.compareTo(policy.deadband()) < 0) {
      return new PricingController.Step(current, false, "held at " + PricingController.plain(current) + ": " + why
          + ", within the deadband");
    }
    return new PricingController.Step(next, true, why + ": " + PricingController.plain(current) + " -> "
        + PricingController.plain(next));
  }

  /** No revenue or no energy cost: back within the bounds if outside them, else held. */
  private static PricingController.Step withoutCost(PricingPolicy policy, BigDecimal current, boolean energyUnknown,
      double pressure) {
    if (current.compareTo(policy.floor()) < 0 || current.compareTo(policy.ceiling()) > 0) {
      return PricingController.step(policy, current, current, null, pressure);
    }
    return new PricingController.Step(current, false, "held at " + PricingController.plain(current)
        + (energyUnknown ? ": energy cost unknown in the interval" : ": no revenue in the interval"));
  }

  /** Why a move beyond the step rules was made. */
  private static String forced(PricingPolicy policy, BigDecimal current, BigDecimal marginal) {
    if (marginal.compareTo(policy.ceiling()) > 0) {
      return ", at the ceiling, below marginal cost";
    }
    return current.compareTo(policy.ceiling()) > 0 ? ", back within the ceiling" : ", never below marginal cost";
  }
}

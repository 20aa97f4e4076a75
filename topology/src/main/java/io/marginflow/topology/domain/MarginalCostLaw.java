package io.marginflow.topology.domain;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.Locale;

/**
 * A control law that prices from cost and load instead of a margin ratio (pricing.law=marginal-cost). List price is the
 * price for normal load at normal cost; the law moves away from it as the region's load and the energy price move away
 * from their normal ({@link PricingNormal}, moving averages over pricing.normal-horizon): {@code target = 1 + load +
 * energy}, kept within [{@code lo}, ceiling]. {@code load = (ceiling - 1)(p - n)/(1 - n)} when the pressure {@code p}
 * is above its normal {@code n} (0 below: a cut below list earns less from every request that would have come anyway);
 * {@code m_mc = price x normal kWh / normal list revenue} is the multiplier at which the price just covers marginal
 * cost (energy at the price in force; the hardware and overhead are owed whether a GPU serves or idles; the interval's
 * own {@code energy cost / list revenue} at the first interval), {@code energy = (price - normal price) x normal kWh /
 * normal list revenue} when positive, and {@code lo = max(floor, m_mc)}. Busier GPUs and dearer energy raise the
 * price; back at normal it returns to list.
 *
 * <p>Each interval moves half the way there, truncated toward the current multiplier to 4 decimals, at most
 * pricing.max-step, not at all inside pricing.deadband; it cuts only while pressure is below {@link #CUTS_BELOW} or no
 * busier than normal ({@link #cutAllowed}), and never leaves a price below marginal cost: a multiplier under {@code lo}
 * goes at least to {@code lo} at once (beyond max-step if need be; {@code lo} is capped at the ceiling).
 */
public final class MarginalCostLaw {
  /** Compute pressure at or above which the law does not cut while the GPUs are busier than normal. */
  public static final double CUTS_BELOW = 0.5;
  /** How far above normal pressure still counts as normal (a busy region's normal approaches its pressure slowly). */
  public static final double NORMAL_TOLERANCE = 0.02;
  private static final BigDecimal GAIN = new BigDecimal("0.5");
  private static final int SCALE = 4;
  /** Figures computed from doubles (pressures, normals) are taken to this many decimals. */
  private static final int NORMAL_SCALE = 9;
  private static final MathContext MC = MathContext.DECIMAL128;

  private MarginalCostLaw() {
  }

  /** The multiplier at which the interval's price just covers its energy, or null without revenue or energy cost. */
  public static BigDecimal marginal(BigDecimal inForce, BigDecimal revenueUsd, BigDecimal energyCostUsd) {
    if (revenueUsd == null || revenueUsd.signum() <= 0 || inForce.signum() <= 0 || energyCostUsd == null) {
      return null;
    }
    BigDecimal list = revenueUsd.divide(inForce, MC);
    return energyCostUsd.max(BigDecimal.ZERO).divide(list, MC).setScale(SCALE, RoundingMode.CEILING);
  }

  /**
   * One interval's step.
   *
   * @param current the latest multiplier decided
   * @param now the interval's figures
   * @param normal what is normal for the (model, region) before this interval, null at the first interval
   */
  public static PricingController.Step step(PricingPolicy policy, BigDecimal current, PricingInterval now,
      PricingNormal normal) {
    if (now.marginal() == null) {
      return withoutCost(policy, current, now.pressure());
    }
    BigDecimal marginal = marginalCost(now, normal);
    double p = now.pressure();
    double n = normal == null || Double.isNaN(normal.pressure()) ? p : normal.pressure();
    BigDecimal lo = marginal.setScale(SCALE, RoundingMode.CEILING).max(policy.floor()).min(policy.ceiling());
    // Normals are doubles: figures from them to 9 decimals, so that a normal of 0.1 USD/kWh is 0.1 and not
    // 0.1000000000000000055511151231257827 (a 4-decimal truncation would turn that into a step 0.0001 short).
    BigDecimal energy = !known(now, normal) ? BigDecimal.ZERO : now.energyPrice()
        .subtract(new BigDecimal(normal.energyPrice()), MC).multiply(new BigDecimal(normal.kwhPerListUsd()), MC)
        .setScale(NORMAL_SCALE, RoundingMode.HALF_EVEN);
    BigDecimal target = BigDecimal.ONE.add(load(policy, p, n).max(BigDecimal.ZERO), MC).add(energy.max(BigDecimal.ZERO), MC)
        .max(lo).min(policy.ceiling());
    BigDecimal delta = target.subtract(current).multiply(GAIN, MC).setScale(SCALE, RoundingMode.DOWN);
    String why = why(marginal, now.energyPrice(), p, n, target);
    BigDecimal capped = delta.abs().compareTo(policy.maxStep()) > 0
        ? policy.maxStep().multiply(BigDecimal.valueOf(delta.signum())) : delta;
    BigDecimal next = current.add(capped).max(lo).min(policy.ceiling());
    if (current.compareTo(lo) < 0 || current.compareTo(policy.ceiling()) > 0) {
      // Up to marginal cost at once, and by at least the deadband: no trickle of tiny steps behind a creeping cost.
      next = current.compareTo(lo) < 0 ? next.max(current.add(policy.deadband())).min(policy.ceiling()) : next;
      return new PricingController.Step(next, true, why + ": " + PricingController.plain(current) + " -> "
          + PricingController.plain(next) + forced(policy, current, marginal));
    }
    if (delta.signum() < 0 && !cutAllowed(p, n)) {
      return new PricingController.Step(current, false, "held at " + PricingController.plain(current) + ": " + why
          + ", no cut while GPUs are busy and busier than normal");
    }
    BigDecimal change = next.subtract(current).abs();
    if (change.signum() == 0 || change.compareTo(policy.deadband()) < 0) {
      return new PricingController.Step(current, false, "held at " + PricingController.plain(current) + ": " + why
          + ", within the deadband");
    }
    return new PricingController.Step(next, true, why + ": " + PricingController.plain(current) + " -> "
        + PricingController.plain(next));
  }

  /** A cut is made while the GPUs are not busy ({@link #CUTS_BELOW}) or no busier than normal; never unmeasured. */
  public static boolean cutAllowed(double p, double normal) {
    return p < CUTS_BELOW || p <= normal + NORMAL_TOLERANCE;
  }

  /**
   * The marginal-cost multiplier the law prices from: the normal energy per list USD at the energy price in force,
   * {@code price x normal kWh / normal list revenue} (an interval's own {@code energy cost / list revenue} swings with
   * its traffic, as the GPUs' idle draw spreads over fewer requests in a lull); the interval's own without a normal.
   */
  static BigDecimal marginalCost(PricingInterval now, PricingNormal normal) {
    return known(now, normal) ? now.energyPrice().multiply(new BigDecimal(normal.kwhPerListUsd()), MC)
        .setScale(NORMAL_SCALE, RoundingMode.HALF_EVEN) : now.marginal();
  }

  private static boolean known(PricingInterval now, PricingNormal normal) {
    return normal != null && now.energyPrice() != null && normal.energyPrice() > 0 && !Double.isNaN(normal.kwhPerListUsd());
  }

  /** How far load moves the target: {@code (ceiling - 1)(p - n)/(1 - n)}, the ceiling at full pressure. */
  static BigDecimal load(PricingPolicy policy, double p, double normal) {
    if (Double.isNaN(p) || Double.isNaN(normal) || p == normal || normal >= 1) {
      return BigDecimal.ZERO;
    }
    // Pressures are doubles: the share to 9 decimals, so that 0.35 - 0.4 is -0.05 and not -0.04999999999999999 (from
    // the double's exact value, not its shortest decimal form, which Double.toString changed in Java 19).
    BigDecimal share = new BigDecimal((p - normal) / (1 - normal)).setScale(NORMAL_SCALE, RoundingMode.HALF_EVEN);
    return policy.ceiling().subtract(BigDecimal.ONE).multiply(share, MC);
  }

  private static String why(BigDecimal marginal, BigDecimal energyPrice, double p, double n, BigDecimal target) {
    return String.format(Locale.ROOT, "marginal cost at %s, energy %s USD/kWh, pressure %.2f (normal %.2f), target %s",
        PricingController.plain(marginal.setScale(SCALE, RoundingMode.CEILING)),
        energyPrice == null ? "?" : energyPrice.setScale(SCALE, RoundingMode.HALF_EVEN).toPlainString(), p, n,
        PricingController.plain(target.setScale(SCALE, RoundingMode.HALF_EVEN)));
  }

  /** No revenue or no energy cost: back within the bounds if outside them, else held. */
  private static PricingController.Step withoutCost(PricingPolicy policy, BigDecimal current, double pressure) {
    if (current.compareTo(policy.floor()) < 0 || current.compareTo(policy.ceiling()) > 0) {
      return PricingController.step(policy, current, current, null, Double.isNaN(pressure) ? 0 : pressure);
    }
    return new PricingController.Step(current, false, "held at " + PricingController.plain(current)
        + ": no revenue or no energy cost in the interval");
  }

  /** Why a move beyond the step rules was made. */
  private static String forced(PricingPolicy policy, BigDecimal current, BigDecimal marginal) {
    if (marginal.compareTo(policy.ceiling()) > 0) {
      return ", at the ceiling, below marginal cost";
    }
    return current.compareTo(policy.ceiling()) > 0 ? ", back within the ceiling" : ", never below marginal cost";
  }
}

package io.marginflow.topology.domain;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.Locale;

/**
 * The control law of dynamic pricing (SPEC 9), one step per (model, region) and interval. Plain arithmetic on decimals,
 * so that a replay computes the same multipliers to the last digit.
 *
 * <p>Revenue scales with the multiplier; cost does not. If the interval's realized margin ratio is {@code r} at
 * multiplier {@code m}, the multiplier that would have met the target {@code t} with the same traffic is
 * {@code m* = m (1 - r) / (1 - t)}. Each interval moves a fraction {@code k} of the way there:
 * {@code m' = m + k (m* - m)}, with the gain {@code k = 0.25 + 0.5 p} rising with the compute pressure {@code p}
 * (0 to 1: mean GPU power over TDP), so busy capacity is repriced faster than idle capacity. Then:
 * <ul>
 *   <li>no price cut while capacity is scarce ({@code p >= 0.8}): a cut would draw more traffic to GPUs that have none
 *       to spare;</li>
 *   <li>the step is truncated toward zero to 4 decimals and capped at {@code max-step};</li>
 *   <li>the result is kept within [{@code floor}, {@code ceiling}];</li>
 *   <li>a change smaller than {@code deadband} is not made;</li>
 *   <li>without revenue in the interval there is no margin to steer by: no change.</li>
 * </ul>
 *
 * <p>Why it cannot oscillate: with traffic and cost steady, {@code m*} is fixed and each step covers at most 75 % of
 * the remaining distance ({@code k <= 0.75 < 1}), so the multiplier approaches {@code m*} from one side and never
 * overshoots it; the step cap only slows the approach, truncation rounds toward {@code m}, and the deadband stops it
 * when the remaining move is under one deadband, so it settles instead of dithering around the target.
 */
public final class PricingController {
  /** Compute pressure at or above which the multiplier is not lowered. */
  public static final double SCARCE = 0.8;
  private static final int SCALE = 4;
  private static final MathContext MC = MathContext.DECIMAL128;

  /** The multiplier after a step, whether it changed, and why, in words. */
  public record Step(BigDecimal multiplier, boolean changed, String reason) {
  }

  private PricingController() {
  }

  /** A region at a fixed multiplier (pricing.fixed-multipliers): moves there at once, then holds. */
  public static Step fixed(BigDecimal current, BigDecimal fixed) {
    if (current.compareTo(fixed) == 0) {
      return new Step(current, false, "held at " + plain(current) + ": fixed by pricing.fixed-multipliers");
    }
    return new Step(fixed, true, String.format(Locale.ROOT, "fixed by pricing.fixed-multipliers: %s -> %s", plain(current),
        plain(fixed)));
  }

  /**
   * One interval's step.
   *
   * @param current the multiplier in force
   * @param marginRatio the interval's realized margin ratio, (revenue - cost) / revenue; null without revenue
   * @param pressure the interval's compute pressure (mean avg power / TDP of the region's GPUs)
   */
  public static Step step(PricingPolicy policy, BigDecimal current, BigDecimal marginRatio, double pressure) {
    return step(policy, current, current, marginRatio, pressure);
  }

  /**
   * One interval's step when the margin was realized at {@code inForce} while a later decision ({@code current}, not
   * yet in force) is pending: the target {@code m*} is estimated from what was observed, and the step starts from the
   * latest decision, so a pending change is not counted twice.
   */
  public static Step step(PricingPolicy policy, BigDecimal current, BigDecimal inForce, BigDecimal marginRatio,
      double pressure) {
    if (current.compareTo(policy.floor()) < 0 || current.compareTo(policy.ceiling()) > 0) {
      BigDecimal bounded = clamp(current, policy);
      return new Step(bounded, true, String.format(Locale.ROOT, "%s -> %s: outside the policy's bounds [%s, %s]",
          plain(current), plain(bounded), plain(policy.floor()), plain(policy.ceiling())));
    }
    if (marginRatio == null) {
      return new Step(current, false, "held at " + plain(current) + ": no revenue in the interval");
    }
    double p = Double.isFinite(pressure) ? Math.max(0, Math.min(1, pressure)) : 0;
    BigDecimal ideal = inForce.multiply(BigDecimal.ONE.subtract(marginRatio), MC)
        .divide(BigDecimal.ONE.subtract(policy.targetMargin()), MC);
    BigDecimal gain = BigDecimal.valueOf(0.25 + 0.5 * p);
    BigDecimal delta = ideal.subtract(current).multiply(gain, MC).setScale(SCALE, RoundingMode.DOWN);
    String why = String.format(Locale.ROOT, "margin %s %s the %s target (pressure %.2f)", percent(marginRatio),
        marginRatio.compareTo(policy.targetMargin()) < 0 ? "below" : "at or above", percent(policy.targetMargin()), p);
    if (delta.signum() < 0 && p >= SCARCE) {
      return new Step(current, false, "held at " + plain(current) + ": " + why + ", no price cut while GPUs are busy");
    }
    boolean capped = delta.abs().compareTo(policy.maxStep()) > 0;
    if (capped) {
      delta = policy.maxStep().multiply(BigDecimal.valueOf(delta.signum()));
    }
    BigDecimal next = clamp(current.add(delta), policy);
    BigDecimal change = next.subtract(current).abs();
    if (change.signum() == 0 || change.compareTo(policy.deadband()) < 0) {
      String bound = atBound(next, policy);
      return new Step(current, false, "held at " + plain(current) + ": " + why + (bound.isEmpty() ? ", within the deadband"
          : bound));
    }
    String limits = (capped ? String.format(Locale.ROOT, ", step capped at %s", plain(policy.maxStep())) : "")
        + atBound(next, policy);
    return new Step(next, true, String.format(Locale.ROOT, "%s: %s -> %s%s", why, plain(current), plain(next), limits));
  }

  private static String atBound(BigDecimal m, PricingPolicy policy) {
    return m.compareTo(policy.ceiling()) == 0 ? ", at the ceiling" : m.compareTo(policy.floor()) == 0 ? ", at the floor" : "";
  }

  private static BigDecimal clamp(BigDecimal m, PricingPolicy policy) {
    return m.max(policy.floor()).min(policy.ceiling());
  }

  static String plain(BigDecimal v) {
    return v.stripTrailingZeros().scale() < 2 ? v.setScale(2, RoundingMode.HALF_EVEN).toPlainString()
        : v.stripTrailingZeros().toPlainString();
  }

  private static String percent(BigDecimal ratio) {
    return ratio.multiply(BigDecimal.valueOf(100)).setScale(1, RoundingMode.HALF_EVEN).toPlainString() + " %";
  }
}

package io.marginflow.topology.domain;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The bounds and law of dynamic pricing (SPEC 9): every {@code intervalMs} of event time per (model, region), the
 * multiplier moves as {@code law} says ({@code targetMargin} is the margin-ratio law's, {@code normalHorizonMs} the
 * marginal-cost law's), within [{@code floor}, {@code ceiling}], by at most {@code maxStep}, and not at all by less
 * than {@code deadband}.
 */
public record PricingPolicy(long intervalMs, BigDecimal targetMargin, BigDecimal floor, BigDecimal ceiling,
    BigDecimal maxStep, BigDecimal deadband, Map<String, BigDecimal> fixedByRegion, PricingLaw law, long normalHorizonMs) {
  /** SPEC 9's defaults: 5 min, 30 %, [0.8, 1.5], 0.05, 0.01. */
  /** Multipliers are kept, published and applied with this many decimals (PriceAdjustment.multiplier). */
  public static final int MULTIPLIER_SCALE = 9;
  public static final PricingPolicy DEFAULTS = new PricingPolicy(300_000L, new BigDecimal("0.30"), new BigDecimal("0.8"),
      new BigDecimal("1.5"), new BigDecimal("0.05"), new BigDecimal("0.01"));

  /** The controller in every region. */
  public PricingPolicy(long intervalMs, BigDecimal targetMargin, BigDecimal floor, BigDecimal ceiling, BigDecimal maxStep,
      BigDecimal deadband) {
    this(intervalMs, targetMargin, floor, ceiling, maxStep, deadband, Map.of());
  }

  /** The margin-ratio law, with regions at fixed multipliers. */
  public PricingPolicy(long intervalMs, BigDecimal targetMargin, BigDecimal floor, BigDecimal ceiling, BigDecimal maxStep,
      BigDecimal deadband, Map<String, BigDecimal> fixedByRegion) {
    this(intervalMs, targetMargin, floor, ceiling, maxStep, deadband, fixedByRegion, PricingLaw.MARGIN_RATIO);
  }

  /** The marginal-cost law's normal load and cost: moving averages over an hour by default. */
  public static final long NORMAL_HORIZON_MS = 3_600_000L;

  /** With the default pricing.normal-horizon. */
  public PricingPolicy(long intervalMs, BigDecimal targetMargin, BigDecimal floor, BigDecimal ceiling, BigDecimal maxStep,
      BigDecimal deadband, Map<String, BigDecimal> fixedByRegion, PricingLaw law) {
    this(intervalMs, targetMargin, floor, ceiling, maxStep, deadband, fixedByRegion, law, NORMAL_HORIZON_MS);
  }

  public PricingPolicy {
    if (law == PricingLaw.MARGINAL_COST && normalHorizonMs < intervalMs) {
      throw new IllegalArgumentException("pricing.normal-horizon must be at least pricing.interval, got " + normalHorizonMs
          + " ms and " + intervalMs + " ms");
    }
    fixedByRegion = Map.copyOf(new TreeMap<>(fixedByRegion));
    if (intervalMs <= 0) {
      throw new IllegalArgumentException("pricing.interval must be positive");
    }
    if (targetMargin.compareTo(BigDecimal.ONE) >= 0) {
      throw new IllegalArgumentException("pricing.target-margin must be below 1, got " + targetMargin);
    }
    if (floor.signum() <= 0 || ceiling.compareTo(floor) < 0) {
      throw new IllegalArgumentException("pricing.floor must be positive and at most pricing.ceiling, got " + floor
          + " and " + ceiling);
    }
    if (floor.compareTo(BigDecimal.ONE) > 0 || ceiling.compareTo(BigDecimal.ONE) < 0) {
      throw new IllegalArgumentException("pricing.floor <= 1 <= pricing.ceiling: list price (1.0) must be allowed");
    }
    atMultiplierScale("pricing.floor", floor);
    atMultiplierScale("pricing.ceiling", ceiling);
    atMultiplierScale("pricing.max-step", maxStep);
    for (Map.Entry<String, BigDecimal> f : fixedByRegion.entrySet()) {
      atMultiplierScale("pricing.fixed-multipliers", f.getValue());
      if (f.getValue().compareTo(floor) < 0 || f.getValue().compareTo(ceiling) > 0) {
        throw new IllegalArgumentException("pricing.fixed-multipliers: " + f.getKey() + "=" + f.getValue().toPlainString()
            + " is outside [pricing.floor, pricing.ceiling] = [" + floor + ", " + ceiling + "]");
      }
    }
    if (maxStep.signum() <= 0 || deadband.signum() < 0 || deadband.compareTo(maxStep) > 0) {
      throw new IllegalArgumentException("pricing.deadband must be within [0, pricing.max-step], max-step > 0, got " + deadband
          + " and " + maxStep);
    }
  }

  private static void atMultiplierScale(String key, BigDecimal value) {
    if (value.stripTrailingZeros().scale() > MULTIPLIER_SCALE) {
      throw new IllegalArgumentException(key + " takes at most " + MULTIPLIER_SCALE + " decimals (multipliers are kept "
          + "with " + MULTIPLIER_SCALE + "), got " + value.toPlainString());
    }
  }

  /** The fixed multiplier of {@code region}, or null when the controller prices it. */
  public BigDecimal fixed(String region) {
    return fixedByRegion.get(region);
  }

  /** Parses "eu-west=0.5,us-east=1.2" (empty: none); a malformed entry fails naming pricing.fixed-multipliers. */
  public static Map<String, BigDecimal> parseFixed(String text) {
    Map<String, BigDecimal> out = new LinkedHashMap<>();
    for (String entry : text.split(",")) {
      if (entry.isBlank()) {
        continue;
      }
      int eq = entry.indexOf('=');
      try {
        BigDecimal m = new BigDecimal(entry.substring(eq + 1).trim());
        if (eq <= 0 || entry.substring(0, eq).isBlank() || m.signum() <= 0 || out.put(entry.substring(0, eq).trim(), m) != null) {
          throw new NumberFormatException();
        }
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("pricing.fixed-multipliers takes region=multiplier,... (each region once, "
            + "multipliers positive), got '" + entry.trim() + "'");
      }
    }
    return out;
  }
}

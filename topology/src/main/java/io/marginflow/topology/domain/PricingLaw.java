package io.marginflow.topology.domain;

import java.util.Arrays;
import java.util.Locale;

/** Which control law steps a (model, region)'s multiplier ({@code pricing.law}). */
public enum PricingLaw {
  /** Steers the realized margin ratio toward pricing.target-margin ({@link PricingController#step}). */
  MARGIN_RATIO,
  /** Prices from the marginal (energy) cost and the compute pressure ({@link MarginalCostLaw}). */
  MARGINAL_COST;

  /** "margin-ratio" or "marginal-cost". */
  public String setting() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  public static PricingLaw of(String setting) {
    return Arrays.stream(values()).filter(l -> l.setting().equals(setting.trim())).findFirst().orElseThrow(
        () -> new IllegalArgumentException("pricing.law is margin-ratio or marginal-cost, got '" + setting + "'"));
  }
}

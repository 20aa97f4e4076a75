package io.marginflow.topology.config;

import static io.marginflow.topology.config.MarginflowConfig.PRICING_CEILING;
import static io.marginflow.topology.config.MarginflowConfig.PRICING_DEADBAND;
import static io.marginflow.topology.config.MarginflowConfig.PRICING_FIXED;
import static io.marginflow.topology.config.MarginflowConfig.PRICING_FLOOR;
import static io.marginflow.topology.config.MarginflowConfig.PRICING_INTERVAL;
import static io.marginflow.topology.config.MarginflowConfig.PRICING_LAW;
import static io.marginflow.topology.config.MarginflowConfig.PRICING_MAX_STEP;
import static io.marginflow.topology.config.MarginflowConfig.PRICING_NORMAL_HORIZON;
import static io.marginflow.topology.config.MarginflowConfig.PRICING_TARGET;

import io.marginflow.topology.domain.PricingLaw;
import io.marginflow.topology.domain.PricingPolicy;
import java.util.stream.Stream;
import org.apache.kafka.common.config.ConfigException;

/** Dynamic pricing's settings (SPEC 9) as a {@link PricingPolicy}; inconsistent ones fail naming the setting. */
final class PricingSettings {
  private PricingSettings() {
  }

  static PricingPolicy policy(MarginflowConfig c) {
    PricingLaw law = PricingLaw.of(c.getString(PRICING_LAW));
    // A setting of the other law would be ignored without a word: since the default law became marginal-cost, a
    // pricing.target-margin of an earlier release's settings must say which law it is for.
    if (law != PricingLaw.MARGIN_RATIO && c.originals().containsKey(PRICING_TARGET)) {
      throw new ConfigException(PRICING_TARGET, c.getString(PRICING_TARGET), "applies to pricing.law=margin-ratio only, "
          + "and pricing.law is " + law.setting() + " (the default since [22/26]): set pricing.law=margin-ratio to steer "
          + "toward a target margin, or remove pricing.target-margin");
    }
    if (law != PricingLaw.MARGINAL_COST && c.originals().containsKey(PRICING_NORMAL_HORIZON)) {
      throw new ConfigException(PRICING_NORMAL_HORIZON, c.getString(PRICING_NORMAL_HORIZON), "applies to "
          + "pricing.law=marginal-cost only, and pricing.law is " + law.setting());
    }
    try {
      return new PricingPolicy(c.duration(PRICING_INTERVAL).toMillis(), c.decimal(PRICING_TARGET), c.decimal(PRICING_FLOOR),
          c.decimal(PRICING_CEILING), c.decimal(PRICING_MAX_STEP), c.decimal(PRICING_DEADBAND),
          PricingPolicy.parseFixed(c.getString(PRICING_FIXED)), law, c.duration(PRICING_NORMAL_HORIZON).toMillis());
    } catch (IllegalArgumentException e) {
      String key = Stream.of(PRICING_INTERVAL, PRICING_TARGET, PRICING_FLOOR, PRICING_CEILING, PRICING_MAX_STEP,
          PRICING_DEADBAND, PRICING_FIXED, PRICING_NORMAL_HORIZON).filter(k -> e.getMessage().startsWith(k)).findFirst()
          .orElse("pricing");
      throw new ConfigException(key, c.getString(key.equals("pricing") ? PRICING_TARGET : key), e.getMessage());
    }
  }
}

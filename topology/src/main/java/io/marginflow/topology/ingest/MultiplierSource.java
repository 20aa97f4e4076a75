package io.marginflow.topology.ingest;

import java.math.BigDecimal;

/** The dynamic-pricing multiplier of (model, region) in force at an instant (SPEC 4, 9). */
@FunctionalInterface
public interface MultiplierSource {
  /** Dynamic pricing off, or not yet adjusted: 1.0 everywhere. */
  MultiplierSource NONE = (model, region, timestampMs) -> BigDecimal.ONE;

  BigDecimal multiplier(String model, String region, long timestampMs);
}

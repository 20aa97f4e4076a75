package io.marginflow.topology.pricing;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.HashMap;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * The multipliers of each (model, region) as of event time (SPEC 4, 9): an adjustment effective from {@code t}
 * applies to requests with {@code timestamp_ms >= t} and to none before, whenever it arrives. 1.0 before the first.
 */
public final class MultiplierSchedule {
  private static final int REVENUE_SCALE = 18;
  private final Map<String, NavigableMap<Long, BigDecimal>> byPair = new HashMap<>();

  /** SPEC 4: a line's list revenue times the multiplier in force for its bucket, exact at 1e-18 USD. */
  public static BigDecimal apply(BigDecimal listRevenueUsd, BigDecimal multiplier) {
    return multiplier.compareTo(BigDecimal.ONE) == 0 ? listRevenueUsd
        : listRevenueUsd.multiply(multiplier).setScale(REVENUE_SCALE, RoundingMode.HALF_EVEN);
  }

  /** The key of (model, region) on {@code pricing.adjustments.v1} and {@code costs.model-region.v1}. */
  public static String key(String model, String region) {
    return model + "|" + region;
  }

  /** Records that from {@code effectiveFromMs} on, (model, region) is priced at {@code multiplier}. */
  public void put(String model, String region, long effectiveFromMs, BigDecimal multiplier) {
    byPair.computeIfAbsent(key(model, region), k -> new TreeMap<>()).put(effectiveFromMs, multiplier);
  }

  /** The multiplier in force for a request of (model, region) at {@code timestampMs}. */
  public BigDecimal at(String model, String region, long timestampMs) {
    NavigableMap<Long, BigDecimal> m = byPair.get(key(model, region));
    Map.Entry<Long, BigDecimal> e = m == null ? null : m.floorEntry(timestampMs);
    return e == null ? BigDecimal.ONE : e.getValue();
  }

  /** Forgets what no request at or after {@code timestampMs} can need (keeps the entry in force at it). */
  public void forgetBefore(long timestampMs) {
    for (NavigableMap<Long, BigDecimal> m : byPair.values()) {
      Long inForce = m.floorKey(timestampMs);
      if (inForce != null) {
        m.headMap(inForce, false).clear();
      }
    }
  }
}

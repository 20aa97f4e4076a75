package io.marginflow.topology.config;

import io.marginflow.topology.domain.PricingPolicy;
import io.marginflow.topology.domain.Validation;
import io.marginflow.topology.domain.Weights;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

/**
 * Everything the topology builder needs, resolved: topic names, times in ms, weights, windows. Built once from
 * {@link MarginflowConfig}; {@code inputPartitions} is the partition count of the usage and power topics
 * (they must match), which the app reads from the cluster before building.
 */
public record TopologyConfig(Topics topics, Validation validation, long dedupHorizonMs, long bucketMs, long graceMs,
    Weights weights, BigDecimal defaultUsdPerKwh, List<WindowSpec> windows, long marginRetentionMs,
    long watermarkIntervalMs, long idleTimeoutMs, long stallWarningMs, double zombieIdleShare, long zombieWindowMs,
    PricingPolicy pricing, boolean pricingEnabled, int inputPartitions) {

  public TopologyConfig {
    if (bucketMs <= 0 || 3_600_000 % bucketMs != 0) {
      throw new IllegalArgumentException(MarginflowConfig.BUCKET + " must divide one hour, got " + bucketMs + " ms");
    }
    for (WindowSpec w : windows) {
      if (w.advanceMs() % bucketMs != 0) {
        throw new IllegalArgumentException("window " + w.name() + " must advance by a multiple of the bucket");
      }
    }
    if (zombieWindowMs <= 0 || zombieWindowMs % bucketMs != 0 || 86_400_000L % zombieWindowMs != 0) {
      throw new IllegalArgumentException(MarginflowConfig.ZOMBIE_WINDOW + " must be a multiple of the bucket that divides a "
          + "day, got " + zombieWindowMs + " ms");
    }
    if (pricing.intervalMs() % bucketMs != 0 || 86_400_000L % pricing.intervalMs() != 0) {
      throw new IllegalArgumentException(MarginflowConfig.PRICING_INTERVAL + " must be a multiple of the bucket that divides a "
          + "day, got " + pricing.intervalMs() + " ms");
    }
    if (inputPartitions < 1) {
      throw new IllegalArgumentException("inputPartitions must be >= 1");
    }
    windows = List.copyOf(windows);
  }

  /** How far ahead of the wall clock an event may be (ingest.max-future-skew). */
  public long maxFutureSkewMs() {
    return validation.maxFutureSkewMs();
  }

  /** The pane length for derived windows: the greatest common divisor of the windows' advances. */
  public long paneMs() {
    long g = 0;
    for (WindowSpec w : windows) {
      g = java.math.BigInteger.valueOf(g).gcd(java.math.BigInteger.valueOf(w.advanceMs())).longValue();
    }
    return g;
  }

  public static TopologyConfig from(MarginflowConfig c, int inputPartitions) {
    return new TopologyConfig(Topics.from(c), c.validation(),
        c.duration(MarginflowConfig.DEDUP_HORIZON).toMillis(), c.duration(MarginflowConfig.BUCKET).toMillis(),
        c.duration(MarginflowConfig.GRACE).toMillis(),
        new Weights(c.decimal(MarginflowConfig.WEIGHT_INPUT), c.decimal(MarginflowConfig.WEIGHT_CACHED),
            c.decimal(MarginflowConfig.WEIGHT_OUTPUT)),
        c.decimal(MarginflowConfig.DEFAULT_ENERGY_PRICE), WindowSpec.parseList(c.getString(MarginflowConfig.MARGIN_WINDOWS)),
        c.duration(MarginflowConfig.MARGIN_RETENTION).toMillis(), c.duration(MarginflowConfig.WATERMARK_INTERVAL).toMillis(),
        c.duration(MarginflowConfig.IDLE_TIMEOUT).toMillis(), c.duration(MarginflowConfig.STALL_WARNING).toMillis(),
        c.getDouble(MarginflowConfig.ZOMBIE_IDLE_SHARE), c.duration(MarginflowConfig.ZOMBIE_WINDOW).toMillis(),
        c.pricingPolicy(), c.getBoolean(MarginflowConfig.PRICING_ENABLED), inputPartitions);
  }

  /** Defaults with {@code inputPartitions} partitions, for tests. */
  public static TopologyConfig defaults(int inputPartitions) {
    return from(MarginflowConfig.of(java.util.Map.of()), inputPartitions);
  }

  /** These settings over the defaults, for tests. */
  public static TopologyConfig with(Map<String, String> settings, int inputPartitions) {
    return from(MarginflowConfig.of(settings), inputPartitions);
  }
}

package io.marginflow.ops.backtest;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collections;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.config.ConfigException;

/**
 * How a backtest's traffic answers prices. Constant-elasticity demand: at multiplier {@code m} a (model, region)'s
 * requests scale by {@code m^e} ({@code e <= 0}: -1 halves traffic at twice the price). Cross-region substitution: of
 * the requests of a region dearer than the cheapest other region (same model, same time), the share
 * {@code s (1 - m_cheapest / m)} moves there ({@code s} in [0, 1]: 0 none, 1 all of a price gap's worth). A model may
 * have its own elasticity ({@code byModel}); the others have the default.
 *
 * <p>Applied to recorded requests one by one and deterministically: each draws its fortunes from a hash of its
 * event_id ({@link #uniform}), so a run is a function of the scenario, the multipliers and the model, byte for byte.
 * A request becomes {@link #copies} requests: none (thinned), itself, or itself and synthetic copies.
 */
public record DemandModel(BigDecimal elasticity, BigDecimal substitution, Map<String, BigDecimal> byModel) {
  /** Demand that does not answer prices: today's backtest. */
  public static final DemandModel FIXED = new DemandModel(BigDecimal.ZERO, BigDecimal.ZERO);

  /** One elasticity for every model. */
  public DemandModel(BigDecimal elasticity, BigDecimal substitution) {
    this(elasticity, substitution, Map.of());
  }

  public DemandModel {
    byModel = Collections.unmodifiableSortedMap(new TreeMap<>(byModel));
    if (elasticity.signum() > 0) {
      throw new ConfigException("--elasticity", elasticity.toPlainString(), "must be 0 or negative (demand falls as "
          + "prices rise)");
    }
    byModel.forEach((model, e) -> {
      if (e.signum() > 0) {
        throw new ConfigException("--model-elasticity", model + "=" + e.toPlainString(), "must be 0 or negative");
      }
    });
    if (substitution.signum() < 0 || substitution.compareTo(BigDecimal.ONE) > 0) {
      throw new ConfigException("--substitution", substitution.toPlainString(), "must be within [0, 1]");
    }
  }

  /** Whether demand is the recorded traffic whatever the prices. */
  public boolean fixed() {
    return elasticity.signum() == 0 && substitution.signum() == 0 && byModel.values().stream().allMatch(e -> e.signum() == 0);
  }

  /** The elasticity of {@code model}: its own ({@code --model-elasticity}) or the default. */
  public BigDecimal elasticity(String model) {
    return byModel.getOrDefault(model, elasticity);
  }

  /** How many requests one of {@code model} becomes at multiplier {@code m}: {@code m^e} in expectation. */
  public double scale(String model, BigDecimal m) {
    return StrictMath.pow(m.doubleValue(), elasticity(model).doubleValue());
  }

  /** The share of a region's requests that move to a region priced {@code cheapest} while theirs is at {@code m}. */
  public double moveShare(BigDecimal m, BigDecimal cheapest) {
    if (cheapest.compareTo(m) >= 0) {
      return 0;
    }
    return substitution.doubleValue() * (1 - cheapest.doubleValue() / m.doubleValue());
  }

  /** A request scaled by {@code factor} with draw {@code u} in [0, 1): floor(factor), plus one if u < its fraction. */
  public static int copies(double factor, double u) {
    double whole = Math.floor(factor);
    return (int) whole + (u < factor - whole ? 1 : 0);
  }

  /** A uniform draw in [0, 1) from {@code eventId} and what it is for ({@code salt}): the same on every run. */
  public static double uniform(String eventId, String salt) {
    return (ByteBuffer.wrap(sha256(salt + "\n" + eventId)).getLong() >>> 11) * 0x1.0p-53;
  }

  /** The event_id of the {@code n}-th synthetic copy (n >= 1) of {@code eventId}: distinct, 39 characters. */
  public static String copyId(String eventId, int n) {
    return "demand-" + HexFormat.of().formatHex(sha256(n + "\n" + eventId), 0, 16);
  }

  private static byte[] sha256(String text) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }

  /** "e=-1", "e=-1 s=0.5" or "e=-1+2 own" (models with their own elasticity): how reports name the model. */
  public String label() {
    return "e=" + elasticity.stripTrailingZeros().toPlainString() + (byModel.isEmpty() ? "" : "+" + byModel.size() + " own")
        + (substitution.signum() == 0 ? "" : " s=" + substitution.stripTrailingZeros().toPlainString());
  }
}

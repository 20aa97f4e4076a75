package io.marginflow.topology.domain;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/** Unit economics (SPEC 8): an amount (USD or kWh) per million tokens. */
public final class UnitCosts {
  private static final BigDecimal MILLION = BigDecimal.valueOf(1_000_000);

  private UnitCosts() {
  }

  /** {@code amount x 1e6 / tokens}, rounded half-even to 9 decimals; null when there are no tokens. */
  public static BigDecimal perMillion(BigDecimal amount, long tokens) {
    if (tokens == 0) {
      return null;
    }
    return amount.multiply(MILLION).divide(BigDecimal.valueOf(tokens), MathContext.DECIMAL128).setScale(9, RoundingMode.HALF_EVEN);
  }
}

package io.marginflow.schemas;

import java.math.BigDecimal;
import java.math.RoundingMode;

/** Money as the schemas carry it: USD, decimal with 9 fractional digits (nano-dollars). */
public final class Money {
  /** Fractional digits of every money field (Avro decimal scale). */
  public static final int SCALE = 9;
  public static final BigDecimal ZERO = BigDecimal.ZERO.setScale(SCALE);

  private Money() {
  }

  /** {@code value} rounded half-even to nano-dollars, the form Avro's decimal(38, 9) accepts. */
  public static BigDecimal usd(BigDecimal value) {
    return value.setScale(SCALE, RoundingMode.HALF_EVEN);
  }

  /** Parses a decimal string (e.g. from a CSV file) into nano-dollars. */
  public static BigDecimal usd(String value) {
    return usd(new BigDecimal(value.trim()));
  }
}

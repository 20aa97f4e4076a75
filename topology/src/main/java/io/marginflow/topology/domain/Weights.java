package io.marginflow.topology.domain;

import java.math.BigDecimal;

/** Request weights (SPEC 3): w = uncached * W_in + cached * W_cached + output * W_out. */
public record Weights(BigDecimal input, BigDecimal cachedInput, BigDecimal output) {
  public static final Weights DEFAULT = new Weights(BigDecimal.ONE, new BigDecimal("0.1"), new BigDecimal("4.0"));

  public Weights {
    if (input.signum() < 0 || cachedInput.signum() < 0 || output.signum() < 0) {
      throw new IllegalArgumentException("weights must be >= 0");
    }
  }

  /** The exact weight of one request. */
  public BigDecimal of(long inputTokens, long cachedInputTokens, long outputTokens) {
    return BigDecimal.valueOf(inputTokens - cachedInputTokens).multiply(input)
        .add(BigDecimal.valueOf(cachedInputTokens).multiply(cachedInput))
        .add(BigDecimal.valueOf(outputTokens).multiply(output));
  }

  /** The weight the cached tokens would have added had they been uncached. */
  public BigDecimal cacheExtra(long cachedInputTokens) {
    return BigDecimal.valueOf(cachedInputTokens).multiply(input.subtract(cachedInput));
  }
}

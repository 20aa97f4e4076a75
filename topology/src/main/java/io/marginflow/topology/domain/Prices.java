package io.marginflow.topology.domain;

import java.math.BigDecimal;

/** A model's list prices, USD per 1e6 tokens. */
public record Prices(BigDecimal inputPerMtok, BigDecimal cachedInputPerMtok, BigDecimal outputPerMtok) {
  /**
   * Exact list revenue of one request (SPEC 4) before the dynamic-pricing multiplier, which the usage partition's split
   * applies per bucket line (the multiplier in force at the bucket's start: {@code PartitionSplit}).
   */
  public BigDecimal revenue(long inputTokens, long cachedInputTokens, long outputTokens) {
    BigDecimal list = BigDecimal.valueOf(inputTokens - cachedInputTokens).multiply(inputPerMtok)
        .add(BigDecimal.valueOf(cachedInputTokens).multiply(cachedInputPerMtok))
        .add(BigDecimal.valueOf(outputTokens).multiply(outputPerMtok));
    // Exact, like divide(1e6), without the general division's cost on every request.
    return list.movePointLeft(6);
  }
}

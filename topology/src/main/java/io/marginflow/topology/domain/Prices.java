package io.marginflow.topology.domain;

import java.math.BigDecimal;

/** A model's list prices, USD per 1e6 tokens. */
public record Prices(BigDecimal inputPerMtok, BigDecimal cachedInputPerMtok, BigDecimal outputPerMtok) {
  /** Exact revenue of one request (SPEC 4): list price of its tokens times the dynamic multiplier. */
  public BigDecimal revenue(long inputTokens, long cachedInputTokens, long outputTokens, BigDecimal multiplier) {
    BigDecimal list = BigDecimal.valueOf(inputTokens - cachedInputTokens).multiply(inputPerMtok)
        .add(BigDecimal.valueOf(cachedInputTokens).multiply(cachedInputPerMtok))
        .add(BigDecimal.valueOf(outputTokens).multiply(outputPerMtok));
    // Exact, like divide(1e6), without the general division's cost on every request.
    return list.multiply(multiplier).movePointLeft(6);
  }
}

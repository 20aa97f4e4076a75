package io.marginflow.topology.domain;

import java.math.BigDecimal;

/** Requests of one (tenant, model, region) within one node bucket, summed. */
public record BucketLine(String tenant, String model, String region, long requests, long inputTokens,
    long cachedInputTokens, long outputTokens, long unpricedRequests, BigDecimal weight, BigDecimal revenueUsd) {

  /** The line that takes a bucket's whole cost when no request weighs anything (SPEC 3). */
  public static BucketLine idle(String region) {
    return new BucketLine(Attribution.IDLE, Attribution.IDLE, region, 0, 0, 0, 0, 0, BigDecimal.ZERO, BigDecimal.ZERO);
  }
}

package io.marginflow.topology.domain;

import io.marginflow.avro.PowerSample;
import io.marginflow.avro.TokenUsage;
import java.util.Optional;

/** The validity rules of SPEC 2, as plain functions of a record and the wall clock. */
public final class Validation {
  /** 2000-01-01T00:00:00Z: anything at or before it is a broken clock. */
  public static final long MIN_TIMESTAMP_MS = 946_684_800_000L;
  private static final double MAX_WATTS = 10_000;
  private static final long MAX_INTERVAL_MS = 3_600_000;

  private Validation() {
  }

  /** The first rule {@code u} breaks, if any. */
  public static Optional<Rejection> check(TokenUsage u, long nowMs, long maxFutureSkewMs) {
    if (blank(u.getEventId()) || blank(u.getTenantId()) || blank(u.getModel()) || blank(u.getNodeId())) {
      return reject(Rejection.MISSING_FIELD, "event_id, tenant_id, model and node_id must be non-empty");
    }
    if (u.getInputTokens() < 0 || u.getCachedInputTokens() < 0 || u.getOutputTokens() < 0) {
      return reject(Rejection.NEGATIVE_TOKENS, "token counts must be >= 0: input " + u.getInputTokens() + ", cached "
          + u.getCachedInputTokens() + ", output " + u.getOutputTokens());
    }
    if (u.getCachedInputTokens() > u.getInputTokens()) {
      return reject(Rejection.CACHED_EXCEEDS_INPUT, "cached_input_tokens " + u.getCachedInputTokens()
          + " > input_tokens " + u.getInputTokens());
    }
    return checkTime(u.getTimestampMs().toEpochMilli(), nowMs, maxFutureSkewMs);
  }

  /** The first rule {@code p} breaks, if any. */
  public static Optional<Rejection> check(PowerSample p, long nowMs, long maxFutureSkewMs) {
    if (blank(p.getNodeId()) || blank(p.getGpuId())) {
      return reject(Rejection.MISSING_FIELD, "node_id and gpu_id must be non-empty");
    }
    double watts = p.getAvgPowerWatts();
    if (!(watts >= 0 && watts <= MAX_WATTS)) {
      return reject(Rejection.POWER_OUT_OF_RANGE, "avg_power_watts " + watts + " outside [0, 10000]");
    }
    if (p.getIntervalMs() <= 0 || p.getIntervalMs() > MAX_INTERVAL_MS) {
      return reject(Rejection.INTERVAL_OUT_OF_RANGE, "interval_ms " + p.getIntervalMs() + " outside (0, 3600000]");
    }
    return checkTime(p.getTimestampMs().toEpochMilli(), nowMs, maxFutureSkewMs);
  }

  /** Timestamp rules shared by every event. */
  public static Optional<Rejection> checkTime(long timestampMs, long nowMs, long maxFutureSkewMs) {
    if (timestampMs <= MIN_TIMESTAMP_MS) {
      return reject(Rejection.TIMESTAMP_TOO_OLD, "timestamp_ms " + timestampMs + " is not after 2000-01-01");
    }
    if (timestampMs > nowMs + maxFutureSkewMs) {
      return reject(Rejection.FUTURE_TIMESTAMP, "timestamp_ms " + timestampMs + " is " + (timestampMs - nowMs)
          + " ms ahead of the wall clock (max " + maxFutureSkewMs + ")");
    }
    return Optional.empty();
  }

  private static boolean blank(String s) {
    return s == null || s.isBlank();
  }

  private static Optional<Rejection> reject(String reason, String detail) {
    return Optional.of(new Rejection(reason, detail));
  }
}

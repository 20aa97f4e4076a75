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
  /**
   * Longest identifier accepted (event, tenant, model, region, node, GPU, API key, request ids). Not in SPEC 2: a
   * guard against a producer bug that would otherwise put megabyte keys into every store, changelog and margin.
   */
  public static final int MAX_ID_LENGTH = 256;

  private Validation() {
  }

  /** The first rule {@code u} breaks, if any. */
  public static Optional<Rejection> check(TokenUsage u, long nowMs, long maxFutureSkewMs) {
    if (blank(u.getEventId()) || blank(u.getTenantId()) || blank(u.getModel()) || blank(u.getNodeId())) {
      return reject(Rejection.MISSING_FIELD, "event_id, tenant_id, model and node_id must be non-empty");
    }
    Optional<Rejection> tooLong = tooLong("event_id", u.getEventId(), "tenant_id", u.getTenantId(), "model", u.getModel(),
        "region", u.getRegion(), "node_id", u.getNodeId(), "api_key_id", u.getApiKeyId(), "request_id", u.getRequestId());
    if (tooLong.isPresent()) {
      return tooLong;
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
    Optional<Rejection> tooLong = tooLong("node_id", p.getNodeId(), "gpu_id", p.getGpuId());
    if (tooLong.isPresent()) {
      return tooLong;
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

  /** The first of (name, value) pairs whose value is longer than {@link #MAX_ID_LENGTH}, as a rejection. */
  private static Optional<Rejection> tooLong(CharSequence... namesAndValues) {
    for (int i = 0; i < namesAndValues.length; i += 2) {
      CharSequence v = namesAndValues[i + 1];
      if (v != null && v.length() > MAX_ID_LENGTH) {
        return reject(Rejection.FIELD_TOO_LONG, namesAndValues[i] + " has " + v.length() + " characters (at most "
            + MAX_ID_LENGTH + ")");
      }
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

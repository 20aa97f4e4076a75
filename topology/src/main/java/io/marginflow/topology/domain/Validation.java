package io.marginflow.topology.domain;

import io.marginflow.avro.PowerSample;
import io.marginflow.avro.TokenUsage;
import io.marginflow.schemas.Ids;
import java.math.BigDecimal;
import java.util.Optional;

/**
 * The validity rules of SPEC 2, as functions of a record and the wall clock under two settings:
 * ingest.max-future-skew and ingest.max-tokens-per-request. The pipeline, the ingest gateway and the CSV paths share
 * one instance's rules, so that what one accepts the others accept.
 */
public final class Validation {
  /** 2000-01-01T00:00:00Z: anything at or before it is a broken clock. */
  public static final long MIN_TIMESTAMP_MS = 946_684_800_000L;
  /** Default of ingest.max-tokens-per-request: the most any one token count of a request may claim. */
  public static final long DEFAULT_MAX_TOKENS = 100_000_000L;
  /** Default of ingest.max-future-skew. */
  public static final long DEFAULT_MAX_FUTURE_SKEW_MS = 300_000L;
  /** With the defaults. */
  public static final Validation DEFAULTS = new Validation(DEFAULT_MAX_FUTURE_SKEW_MS, DEFAULT_MAX_TOKENS);
  private static final double MAX_WATTS = 10_000;
  /** Longest number text read (Jackson's default limit for a JSON number). */
  private static final int MAX_NUMBER_CHARS = 1000;
  private static final long MAX_INTERVAL_MS = 3_600_000;

  private final long maxFutureSkewMs;
  private final long maxTokens;

  /**
   * @param maxFutureSkewMs how far ahead of the wall clock an event may be
   * @param maxTokens the bound of each token count of a request (input, cached input, output)
   */
  public Validation(long maxFutureSkewMs, long maxTokens) {
    if (maxFutureSkewMs < 0 || maxTokens < 1) {
      throw new IllegalArgumentException("max future skew must be >= 0 and max tokens >= 1");
    }
    this.maxFutureSkewMs = maxFutureSkewMs;
    this.maxTokens = maxTokens;
  }

  public long maxFutureSkewMs() {
    return maxFutureSkewMs;
  }

  public long maxTokens() {
    return maxTokens;
  }

  /** The first rule {@code u} breaks, if any. */
  public Optional<Rejection> check(TokenUsage u, long nowMs) {
    if (blank(u.getEventId()) || blank(u.getTenantId()) || blank(u.getModel()) || blank(u.getNodeId())) {
      return reject(Rejection.MISSING_FIELD, "event_id, tenant_id, model and node_id must be non-empty");
    }
    Optional<Rejection> badId = invalidId("event_id", u.getEventId(), "tenant_id", u.getTenantId(), "model", u.getModel(),
        "region", u.getRegion(), "node_id", u.getNodeId(), "api_key_id", u.getApiKeyId(), "request_id", u.getRequestId());
    if (badId.isPresent()) {
      return badId;
    }
    Optional<Rejection> badCount = tokens(u.getInputTokens(), u.getCachedInputTokens(), u.getOutputTokens());
    return badCount.isPresent() ? badCount : checkTime(u.getTimestampMs().toEpochMilli(), nowMs);
  }

  /** The token-count rules: each count in [0, max], cached within input. */
  public Optional<Rejection> tokens(long input, long cached, long output) {
    if (input < 0 || cached < 0 || output < 0) {
      return reject(Rejection.NEGATIVE_TOKENS, "token counts must be >= 0: input " + input + ", cached " + cached
          + ", output " + output);
    }
    if (input > maxTokens || cached > maxTokens || output > maxTokens) {
      String field = input > maxTokens ? "input_tokens" : cached > maxTokens ? "cached_input_tokens" : "output_tokens";
      long claimed = input > maxTokens ? input : cached > maxTokens ? cached : output;
      return reject(Rejection.TOO_MANY_TOKENS, tooManyDetail(field, Long.toString(claimed)));
    }
    if (cached > input) {
      return reject(Rejection.CACHED_EXCEEDS_INPUT, "cached_input_tokens " + cached + " > input_tokens " + input);
    }
    return Optional.empty();
  }

  /** A token count read from text or a number of any size: its value, or why it is refused. */
  public record Count(long value, Rejection rejection) {
    public boolean valid() {
      return rejection == null;
    }
  }

  /**
   * The token count {@code field} given as a decimal number of any size (a JSON number, a CSV cell, an OTLP attribute):
   * a fraction is INVALID_TOKENS, a negative NEGATIVE_TOKENS, more than the bound TOO_MANY_TOKENS; nothing is wrapped or
   * rounded. The digits are compared before any arithmetic, so that 1e999999999 costs no more than 1e3 (details show a
   * number in scientific notation, never its expanded digits).
   */
  public Count count(String field, BigDecimal value) {
    if (value.signum() == 0) {
      return new Count(0, null);
    }
    if ((long) value.precision() - value.scale() > 19) {
      return value.signum() < 0 ? refused(Rejection.NEGATIVE_TOKENS, field + " must be >= 0")
          : refused(Rejection.TOO_MANY_TOKENS, tooManyDetail(field, value.toString()));
    }
    if (value.stripTrailingZeros().scale() > 0) {
      return refused(Rejection.INVALID_TOKENS, field + " must be a whole number, got " + value);
    }
    if (value.signum() < 0) {
      return refused(Rejection.NEGATIVE_TOKENS, field + " must be >= 0, got " + value);
    }
    if (value.compareTo(BigDecimal.valueOf(maxTokens)) > 0) {
      return refused(Rejection.TOO_MANY_TOKENS, tooManyDetail(field, value.toString()));
    }
    return new Count(value.longValueExact(), null);
  }

  /** {@link #count(String, BigDecimal)} of a text; one that is no number is INVALID_TOKENS. */
  public Count count(String field, String text) {
    String t = text == null ? "" : text.trim();
    if (t.isEmpty() || t.length() > MAX_NUMBER_CHARS) {
      return refused(Rejection.INVALID_TOKENS, field + " must be a whole number" + (t.isEmpty() ? "" : " (at most "
          + MAX_NUMBER_CHARS + " characters, as JSON parsers read them)"));
    }
    try {
      return count(field, new BigDecimal(t));
    } catch (NumberFormatException e) {
      return refused(Rejection.INVALID_TOKENS, field + " must be a whole number, got \"" + Ids.printable(t) + "\"");
    }
  }

  private String tooManyDetail(String field, String claimed) {
    return field + " " + claimed + (maxTokens == Long.MAX_VALUE ? " does not fit a 64-bit count"
        : " is more than one request may claim (" + maxTokens + ")");
  }

  private static Count refused(String reason, String detail) {
    return new Count(0, new Rejection(reason, detail));
  }

  /** The first rule {@code p} breaks, if any. */
  public Optional<Rejection> check(PowerSample p, long nowMs) {
    if (blank(p.getNodeId()) || blank(p.getGpuId())) {
      return reject(Rejection.MISSING_FIELD, "node_id and gpu_id must be non-empty");
    }
    Optional<Rejection> badId = invalidId("node_id", p.getNodeId(), "gpu_id", p.getGpuId());
    if (badId.isPresent()) {
      return badId;
    }
    double watts = p.getAvgPowerWatts();
    if (!(watts >= 0 && watts <= MAX_WATTS)) {
      return reject(Rejection.POWER_OUT_OF_RANGE, "avg_power_watts " + watts + " outside [0, 10000]");
    }
    if (p.getIntervalMs() <= 0 || p.getIntervalMs() > MAX_INTERVAL_MS) {
      return reject(Rejection.INTERVAL_OUT_OF_RANGE, "interval_ms " + p.getIntervalMs() + " outside (0, 3600000]");
    }
    return checkTime(p.getTimestampMs().toEpochMilli(), nowMs);
  }

  /** Timestamp rules shared by every event. */
  public Optional<Rejection> checkTime(long timestampMs, long nowMs) {
    if (timestampMs <= MIN_TIMESTAMP_MS) {
      return reject(Rejection.TIMESTAMP_TOO_OLD, "timestamp_ms " + timestampMs + " is not after 2000-01-01");
    }
    if (timestampMs > nowMs + maxFutureSkewMs) {
      return reject(Rejection.FUTURE_TIMESTAMP, "timestamp_ms " + timestampMs + " is " + (timestampMs - nowMs)
          + " ms ahead of the wall clock (max " + maxFutureSkewMs + ")");
    }
    return Optional.empty();
  }

  /**
   * The first of (name, value) pairs whose value breaks the identifier rule ({@link Ids}), as INVALID_ID. A null value
   * is an absent optional field; the required ones were checked for presence before.
   */
  private static Optional<Rejection> invalidId(String... namesAndValues) {
    for (int i = 0; i < namesAndValues.length; i += 2) {
      String v = namesAndValues[i + 1];
      Optional<String> problem = v == null ? Optional.empty() : Ids.problem(v);
      if (problem.isPresent()) {
        return reject(Rejection.INVALID_ID, namesAndValues[i] + " " + problem.get());
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

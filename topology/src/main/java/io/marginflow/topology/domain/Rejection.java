package io.marginflow.topology.domain;

/** Why an input record was refused (SPEC 2): a machine-readable reason code and a human-readable detail. */
public record Rejection(String reason, String detail) {
  public static final String DESERIALIZATION = "DESERIALIZATION";
  public static final String NULL_VALUE = "NULL_VALUE";
  public static final String MISSING_FIELD = "MISSING_FIELD";
  public static final String INVALID_ID = "INVALID_ID";
  public static final String TOO_MANY_TOKENS = "TOO_MANY_TOKENS";
  /** A token count that is not a whole number (a JSON fraction, a CSV cell that is no integer). */
  public static final String INVALID_TOKENS = "INVALID_TOKENS";
  public static final String NEGATIVE_TOKENS = "NEGATIVE_TOKENS";
  public static final String CACHED_EXCEEDS_INPUT = "CACHED_EXCEEDS_INPUT";
  public static final String POWER_OUT_OF_RANGE = "POWER_OUT_OF_RANGE";
  public static final String INTERVAL_OUT_OF_RANGE = "INTERVAL_OUT_OF_RANGE";
  public static final String TIMESTAMP_TOO_OLD = "TIMESTAMP_TOO_OLD";
  public static final String FUTURE_TIMESTAMP = "FUTURE_TIMESTAMP";
  public static final String LATE = "LATE";

  /** Every reason an input record of the pipeline's topics can be dead-lettered for (LATE goes to .late instead). */
  public static final java.util.List<String> REASONS = java.util.List.of(DESERIALIZATION, NULL_VALUE, MISSING_FIELD,
      INVALID_ID, NEGATIVE_TOKENS, TOO_MANY_TOKENS, CACHED_EXCEEDS_INPUT, POWER_OUT_OF_RANGE, INTERVAL_OUT_OF_RANGE,
      TIMESTAMP_TOO_OLD, FUTURE_TIMESTAMP);
}

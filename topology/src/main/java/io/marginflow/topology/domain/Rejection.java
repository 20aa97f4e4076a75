package io.marginflow.topology.domain;

/** Why an input record was refused (SPEC 2): a machine-readable reason code and a human-readable detail. */
public record Rejection(String reason, String detail) {
  public static final String DESERIALIZATION = "DESERIALIZATION";
  public static final String NULL_VALUE = "NULL_VALUE";
  public static final String MISSING_FIELD = "MISSING_FIELD";
  public static final String FIELD_TOO_LONG = "FIELD_TOO_LONG";
  public static final String NEGATIVE_TOKENS = "NEGATIVE_TOKENS";
  public static final String CACHED_EXCEEDS_INPUT = "CACHED_EXCEEDS_INPUT";
  public static final String POWER_OUT_OF_RANGE = "POWER_OUT_OF_RANGE";
  public static final String INTERVAL_OUT_OF_RANGE = "INTERVAL_OUT_OF_RANGE";
  public static final String TIMESTAMP_TOO_OLD = "TIMESTAMP_TOO_OLD";
  public static final String FUTURE_TIMESTAMP = "FUTURE_TIMESTAMP";
  public static final String LATE = "LATE";
}

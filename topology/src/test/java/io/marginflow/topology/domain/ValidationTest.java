package io.marginflow.topology.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.marginflow.avro.PowerSample;
import io.marginflow.avro.TokenUsage;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** SPEC 2's validity rules, one broken rule at a time against a valid event, the reason code each gives. */
class ValidationTest {
  private static final long NOW = 1_773_100_800_000L;
  private static final Validation RULES = new Validation(300_000, 1_000);

  private static String usage(UnaryOperator<TokenUsage.Builder> change) {
    TokenUsage.Builder b = TokenUsage.newBuilder().setEventId("e1").setTimestampMs(Instant.ofEpochMilli(NOW))
        .setTenantId("t").setModel("m").setRegion("eu-west").setNodeId("n1").setInputTokens(100)
        .setCachedInputTokens(40).setOutputTokens(10);
    return RULES.check(change.apply(b).build(), NOW).map(Rejection::reason).orElse("OK");
  }

  private static String power(UnaryOperator<PowerSample.Builder> change) {
    PowerSample.Builder b = PowerSample.newBuilder().setTimestampMs(Instant.ofEpochMilli(NOW)).setNodeId("n1")
        .setGpuId("0").setIntervalMs(15_000).setAvgPowerWatts(350);
    return RULES.check(change.apply(b).build(), NOW).map(Rejection::reason).orElse("OK");
  }

  @Test
  void shouldRefuseEachBrokenUsageRuleWithItsReason() {
    assertEquals("OK", usage(b -> b));
    assertEquals(Rejection.MISSING_FIELD, usage(b -> b.setTenantId(" ")));
    assertEquals(Rejection.INVALID_ID, usage(b -> b.setNodeId("n\u0000")));
    assertEquals(Rejection.NEGATIVE_TOKENS, usage(b -> b.setOutputTokens(-1)));
    assertEquals(Rejection.TOO_MANY_TOKENS, usage(b -> b.setInputTokens(1_001).setCachedInputTokens(0)));
    assertEquals("OK", usage(b -> b.setInputTokens(1_000).setCachedInputTokens(1_000)), "at the maximum, all cached");
    assertEquals(Rejection.CACHED_EXCEEDS_INPUT, usage(b -> b.setCachedInputTokens(101)));
    assertEquals(Rejection.TIMESTAMP_TOO_OLD,
        usage(b -> b.setTimestampMs(Instant.ofEpochMilli(Validation.MIN_TIMESTAMP_MS))));
    assertEquals("OK", usage(b -> b.setTimestampMs(Instant.ofEpochMilli(NOW + 300_000))), "exactly the allowed skew");
    assertEquals(Rejection.FUTURE_TIMESTAMP, usage(b -> b.setTimestampMs(Instant.ofEpochMilli(NOW + 300_001))));
  }

  @Test
  void shouldRefuseEachBrokenPowerRuleWithItsReason() {
    assertEquals("OK", power(b -> b));
    assertEquals(Rejection.MISSING_FIELD, power(b -> b.setGpuId("")));
    assertEquals(Rejection.POWER_OUT_OF_RANGE, power(b -> b.setAvgPowerWatts(-0.5)));
    assertEquals(Rejection.POWER_OUT_OF_RANGE, power(b -> b.setAvgPowerWatts(Double.NaN)));
    assertEquals("OK", power(b -> b.setAvgPowerWatts(10_000)));
    assertEquals(Rejection.INTERVAL_OUT_OF_RANGE, power(b -> b.setIntervalMs(0)));
    assertEquals(Rejection.INTERVAL_OUT_OF_RANGE, power(b -> b.setIntervalMs(3_600_001)));
  }

  @Test
  void shouldReadTokenCountsAsWholeNumbersWithinTheMaximum() {
    assertEquals(120, RULES.count("input_tokens", new BigDecimal("120.000")).value());
    assertTrue(RULES.count("input_tokens", "7").valid());
    assertEquals(Rejection.INVALID_TOKENS, RULES.count("input_tokens", new BigDecimal("1.5")).rejection().reason());
    assertEquals(Rejection.NEGATIVE_TOKENS, RULES.count("input_tokens", new BigDecimal("-3")).rejection().reason());
    assertEquals(Rejection.TOO_MANY_TOKENS, RULES.count("input_tokens", new BigDecimal("1e30")).rejection().reason());
    assertEquals(Rejection.INVALID_TOKENS, RULES.count("input_tokens", "12abc").rejection().reason());
    assertFalse(RULES.count("input_tokens", "").valid());
    assertEquals(Optional.empty(), RULES.tokens(0, 0, 0));
  }
}

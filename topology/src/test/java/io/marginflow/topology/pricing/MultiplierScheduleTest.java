package io.marginflow.topology.pricing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.math.BigDecimal;
import org.junit.jupiter.api.Test;

/** SPEC 4 and 9: an adjustment effective from t applies to requests at t and after, never before. */
class MultiplierScheduleTest {
  private static final long T = 1_767_607_500_000L;

  @Test
  void shouldApplyAnAdjustmentFromItsEffectiveTimeOnly() {
    MultiplierSchedule s = new MultiplierSchedule();
    assertEquals(BigDecimal.ONE, s.at("m", "eu", T), "1.0 before any adjustment");
    s.put("m", "eu", T, new BigDecimal("1.05"));
    s.put("m", "eu", T + 300_000, new BigDecimal("1.10"));
    assertEquals(BigDecimal.ONE, s.at("m", "eu", T - 1), "just before: the old multiplier");
    assertEquals(new BigDecimal("1.05"), s.at("m", "eu", T), "at it: the new one");
    assertEquals(new BigDecimal("1.05"), s.at("m", "eu", T + 299_999));
    assertEquals(new BigDecimal("1.10"), s.at("m", "eu", T + 300_000));
    assertEquals(BigDecimal.ONE, s.at("m", "us", T + 300_000), "another region is not adjusted");
    assertEquals(BigDecimal.ONE, s.at("other", "eu", T + 300_000), "nor another model");
  }

  @Test
  void shouldKeepTheMultiplierInForceWhenForgettingThePast() {
    MultiplierSchedule s = new MultiplierSchedule();
    s.put("m", "eu", T, new BigDecimal("1.05"));
    s.put("m", "eu", T + 300_000, new BigDecimal("1.10"));
    s.put("m", "eu", T + 600_000, new BigDecimal("1.15"));
    s.forgetBefore(T + 400_000);
    assertEquals(new BigDecimal("1.10"), s.at("m", "eu", T + 400_000));
    assertEquals(new BigDecimal("1.15"), s.at("m", "eu", T + 600_000));
    assertEquals(BigDecimal.ONE, s.at("m", "eu", T), "forgotten: no request that old is expected any more");
  }
}

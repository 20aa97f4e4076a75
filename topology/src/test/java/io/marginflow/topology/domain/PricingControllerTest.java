package io.marginflow.topology.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The control law against steps computed by hand, and its guarantees over many random steps (SPEC 9). */
class PricingControllerTest {
  private static final PricingPolicy P = PricingPolicy.DEFAULTS;

  private static BigDecimal d(String v) {
    return new BigDecimal(v);
  }

  @Test
  void shouldMoveAFixedRegionToItsMultiplierAtOnceThenHold() {
    PricingPolicy policy = new PricingPolicy(300_000L, new BigDecimal("0.30"), new BigDecimal("0.5"), new BigDecimal("1.5"),
        new BigDecimal("0.05"), new BigDecimal("0.01"), PricingPolicy.parseFixed("eu-west=0.5, us-east=1.2"));
    assertEquals(0, new BigDecimal("0.5").compareTo(policy.fixed("eu-west")));
    assertEquals(null, policy.fixed("ap-south"));
    PricingController.Step first = PricingController.fixed(BigDecimal.ONE, policy.fixed("eu-west"));
    assertTrue(first.changed());
    assertEquals("0.5", first.multiplier().toPlainString(), "the whole way in one step, not max-step");
    assertFalse(PricingController.fixed(new BigDecimal("0.500000000"), policy.fixed("eu-west")).changed());
  }

  @Test
  void shouldRefuseAFixedMultiplierOutsideTheBoundsOrMalformed() {
    for (String text : List.of("eu-west=0.4", "eu-west=1.6", "eu-west", "=0.9", "eu-west=0.9,eu-west=1.1", "eu-west=-1", " =0.9")) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new PricingPolicy(300_000L,
          new BigDecimal("0.30"), new BigDecimal("0.5"), new BigDecimal("1.5"), new BigDecimal("0.05"),
          new BigDecimal("0.01"), PricingPolicy.parseFixed(text)), text);
      assertTrue(e.getMessage().startsWith("pricing.fixed-multipliers"), e.getMessage());
    }
  }

  @Test
  void shouldCapAStepTowardTheTarget() {
    // m* = 1.00 x (1 - 0.10) / (1 - 0.30) = 1.285714; k = 0.25 + 0.5 x 0.5 = 0.5; 0.5 x 0.285714 = 0.142857 > 0.05.
    PricingController.Step s = PricingController.step(P, d("1.00"), d("0.10"), 0.5);
    assertTrue(s.changed());
    assertEquals(0, d("1.05").compareTo(s.multiplier()), s.toString());
    assertTrue(s.reason().contains("margin 10.0 % below the 30.0 % target") && s.reason().contains("step capped at 0.05"),
        s.reason());
  }

  @Test
  void shouldMoveAFractionOfTheWayWhenUnderTheCap() {
    // m* = 1.10 x 0.65 / 0.70 = 1.0214286; k = 0.25 + 0.5 x 0.3 = 0.40; 0.40 x -0.0785714 = -0.0314286 -> -0.0314.
    PricingController.Step s = PricingController.step(P, d("1.10"), d("0.35"), 0.3);
    assertEquals(d("1.0686"), s.multiplier());
    assertTrue(s.changed());
    assertEquals("margin 35.0 % at or above the 30.0 % target (pressure 0.30): 1.10 -> 1.0686", s.reason());
  }

  @Test
  void shouldNotMoveInsideTheDeadband() {
    // m* = 0.72 / 0.70 = 1.0285714; k = 0.25; 0.25 x 0.0285714 = 0.0071 < 0.01.
    PricingController.Step s = PricingController.step(P, d("1.00"), d("0.28"), 0.0);
    assertFalse(s.changed());
    assertEquals(d("1.00"), s.multiplier());
    assertTrue(s.reason().endsWith("within the deadband"), s.reason());
  }

  @Test
  void shouldNotCutThePriceOfBusyCapacity() {
    PricingController.Step s = PricingController.step(P, d("1.10"), d("0.35"), 0.9);
    assertFalse(s.changed());
    assertTrue(s.reason().contains("no price cut while GPUs are busy"), s.reason());
    // The same margin on idle capacity is a cut (above), and a raise on busy capacity is made.
    assertTrue(PricingController.step(P, d("1.10"), d("0.10"), 0.9).multiplier().compareTo(d("1.10")) > 0);
  }

  @Test
  void shouldStayWithinFloorAndCeiling() {
    // +0.05 from 1.48 would be 1.53: the ceiling, 1.5 (a change of 0.02, above the deadband).
    PricingController.Step up = PricingController.step(P, d("1.48"), d("-0.50"), 1.0);
    assertEquals(0, d("1.5").compareTo(up.multiplier()));
    assertTrue(up.reason().endsWith("at the ceiling"), up.reason());
    PricingController.Step atCeiling = PricingController.step(P, d("1.5"), d("-0.50"), 1.0);
    assertFalse(atCeiling.changed());
    // m* = 0.82 x 0.1 / 0.7 = 0.117; -0.05 from 0.82 would be 0.77: the floor, 0.8.
    PricingController.Step down = PricingController.step(P, d("0.82"), d("0.90"), 0.0);
    assertEquals(0, d("0.8").compareTo(down.multiplier()));
    assertFalse(PricingController.step(P, d("1.00"), null, 0.5).changed(), "no revenue, no margin to steer by");
  }

  /**
   * A steady plant: list revenue 100, cost 85 per interval, revenue proportional to the multiplier. The target 30 % is
   * met at m* = 85 / 70 = 1.2142857. From 1.00 the multiplier rises monotonically, never past m*, and settles within
   * 0.01 / k = 0.02 of it (the deadband over the gain), after which it no longer changes.
   */
  @Test
  void shouldApproachTheTargetFromOneSideAndSettle() {
    BigDecimal m = d("1.00");
    BigDecimal ideal = d("85").divide(d("70"), 12, RoundingMode.HALF_EVEN);
    int changes = 0;
    for (int i = 0; i < 40; i++) {
      BigDecimal revenue = d("100").multiply(m);
      BigDecimal ratio = revenue.subtract(d("85")).divide(revenue, 12, RoundingMode.HALF_EVEN);
      PricingController.Step s = PricingController.step(P, m, ratio, 0.5);
      assertTrue(s.multiplier().compareTo(m) >= 0, "never down: " + s);
      assertTrue(s.multiplier().compareTo(ideal) <= 0, "never past m*: " + s);
      changes += s.changed() ? 1 : 0;
      m = s.multiplier();
    }
    assertTrue(ideal.subtract(m).compareTo(d("0.02")) < 0, "settled near m*: " + m);
    assertTrue(changes < 12, "and stopped moving: " + changes + " changes");
  }

  /** Random policies, multipliers, margins and pressures: the bounds SPEC 9 sets are never broken. */
  @Test
  void shouldNeverLeaveTheBoundsNorStepTooFarNorInsideTheDeadband() {
    Random rnd = new Random(42);
    for (int i = 0; i < 20_000; i++) {
      PricingPolicy policy = randomPolicy(rnd);
      BigDecimal m = between(rnd, policy.floor(), policy.ceiling());
      BigDecimal ratio = rnd.nextInt(20) == 0 ? null : BigDecimal.valueOf(rnd.nextDouble() * 3 - 2).setScale(9, RoundingMode.HALF_EVEN);
      double pressure = rnd.nextDouble() * 1.2;
      PricingController.Step s = PricingController.step(policy, m, ratio, pressure);
      String what = policy + " m=" + m + " r=" + ratio + " p=" + pressure + " -> " + s;
      assertTrue(s.multiplier().compareTo(policy.floor()) >= 0 && s.multiplier().compareTo(policy.ceiling()) <= 0, what);
      BigDecimal change = s.multiplier().subtract(m).abs();
      assertTrue(change.compareTo(policy.maxStep()) <= 0, "step above max-step: " + what);
      assertEquals(s.changed(), change.signum() != 0, what);
      assertTrue(!s.changed() || change.compareTo(policy.deadband()) >= 0, "inside the deadband: " + what);
    }
  }

  /** A chain of steps: each change starts from the previous change's multiplier, and the whole chain stays in bounds. */
  @Test
  void shouldChainEachAdjustmentFromTheLastOne() {
    Random rnd = new Random(7);
    for (int run = 0; run < 200; run++) {
      PricingPolicy policy = randomPolicy(rnd);
      BigDecimal m = BigDecimal.ONE;
      List<BigDecimal[]> adjustments = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        BigDecimal ratio = BigDecimal.valueOf(rnd.nextGaussian() * 0.3 + 0.2).setScale(9, RoundingMode.HALF_EVEN);
        PricingController.Step s = PricingController.step(policy, m, ratio, rnd.nextDouble());
        if (s.changed()) {
          adjustments.add(new BigDecimal[] {m, s.multiplier()});
        }
        m = s.multiplier();
      }
      for (int i = 1; i < adjustments.size(); i++) {
        assertEquals(adjustments.get(i - 1)[1], adjustments.get(i)[0], "previous multiplier = last new multiplier");
      }
    }
  }

  private static PricingPolicy randomPolicy(Random rnd) {
    BigDecimal floor = BigDecimal.valueOf(50 + rnd.nextInt(51), 2);
    BigDecimal ceiling = BigDecimal.valueOf(100 + rnd.nextInt(101), 2);
    BigDecimal maxStep = BigDecimal.valueOf(5 + 10 * rnd.nextInt(100), 3);
    BigDecimal deadband = maxStep.multiply(BigDecimal.valueOf(rnd.nextInt(101) / 100.0)).setScale(4, RoundingMode.DOWN);
    BigDecimal target = BigDecimal.valueOf(rnd.nextInt(60) / 100.0);
    return new PricingPolicy(300_000L, target, floor, ceiling, maxStep, deadband);
  }

  private static BigDecimal between(Random rnd, BigDecimal lo, BigDecimal hi) {
    return lo.add(hi.subtract(lo).multiply(BigDecimal.valueOf(rnd.nextDouble()))).setScale(4, RoundingMode.DOWN).max(lo);
  }
}

package io.marginflow.topology.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The marginal-cost law: a worked example by hand, then its properties over random policies and intervals. */
class MarginalCostLawTest {
  private static final PricingPolicy POLICY = policy("0.8", "1.5", "0.05", "0.01");

  @Test
  void shouldFollowTheWorkedExample() {
    // Revenue 10 USD earned at 1.0 (list revenue 10), energy 6 USD: m_mc = 0.6, lo = max(0.8, 0.6) = 0.8.
    // Pressure 0.2: target 0.8 + 0.7 x 0.2 = 0.94, half the way from 1.0: -0.03 -> 0.97.
    assertEquals("0.9700", step("1.0", "10", "6", 0.2).multiplier().toPlainString());
    // Pressure 0.9: target 0.8 + 0.7 x 0.9 = 1.43, half the way is +0.215, capped at max-step: 1.05.
    assertEquals("1.05", step("1.0", "10", "6", 0.9).multiplier().stripTrailingZeros().toPlainString());
    // 13 USD earned at 1.3 (list 10), pressure 0.6: target 1.22 is below 1.3, but no cut while GPUs are busy.
    assertFalse(step("1.3", "13", "6", 0.6).changed());
    // Energy spikes to 12 USD: m_mc = 1.2 > 1.0, the price goes to marginal cost at once (beyond max-step).
    PricingController.Step spike = step("1.0", "10", "12", 0.1);
    assertEquals("1.2", spike.multiplier().stripTrailingZeros().toPlainString());
    assertTrue(spike.reason().contains("never below marginal cost"), spike.reason());
  }

  @Test
  void shouldKeepItsBoundsStepsDeadbandAndMarginalCostFloorAndBeMonotone() {
    Random rnd = new Random(42);
    for (int i = 0; i < 20_000; i++) {
      PricingPolicy policy = policy(BigDecimal.valueOf(50 + rnd.nextInt(51), 2).toPlainString(),
          BigDecimal.valueOf(100 + rnd.nextInt(101), 2).toPlainString(), BigDecimal.valueOf(5 + 10 * rnd.nextInt(10), 3)
              .toPlainString(), "0.00" + rnd.nextInt(6));
      BigDecimal current = between(rnd, policy.floor(), policy.ceiling());
      BigDecimal inForce = between(rnd, policy.floor(), policy.ceiling());
      BigDecimal revenue = BigDecimal.valueOf(1 + rnd.nextInt(10_000), 2);
      BigDecimal energy = BigDecimal.valueOf(rnd.nextInt(15_000), 2);
      double p = rnd.nextDouble();
      PricingController.Step s = MarginalCostLaw.step(policy, current, inForce, revenue, energy, p);
      BigDecimal next = s.multiplier();
      String what = policy + " m=" + current + " inForce=" + inForce + " rev=" + revenue + " energy=" + energy + " p=" + p;
      BigDecimal lo = energy.divide(revenue.divide(inForce, java.math.MathContext.DECIMAL128), java.math.MathContext.DECIMAL128)
          .setScale(4, RoundingMode.CEILING).max(policy.floor()).min(policy.ceiling());
      assertTrue(next.compareTo(policy.floor()) >= 0 && next.compareTo(policy.ceiling()) <= 0, "bounds: " + what);
      assertTrue(next.compareTo(lo) >= 0 || (!s.changed() && current.compareTo(lo) >= 0), "never below marginal cost: " + what);
      BigDecimal change = next.subtract(current).abs();
      if (s.changed() && next.compareTo(lo) != 0) {
        assertTrue(change.compareTo(policy.maxStep()) <= 0, "step: " + what);
        assertTrue(change.compareTo(policy.deadband()) >= 0, "deadband: " + what);
      }
      if (next.compareTo(current) < 0) {
        assertTrue(p < MarginalCostLaw.CUTS_BELOW, "cuts only while GPUs idle: " + what);
      }
      double p2 = Math.min(1, p + rnd.nextDouble() * (1 - p));
      assertTrue(MarginalCostLaw.step(policy, current, inForce, revenue, energy, p2).multiplier().compareTo(next) >= 0,
          "monotone in pressure: " + what + " p2=" + p2);
      BigDecimal dearer = energy.add(BigDecimal.valueOf(rnd.nextInt(5_000), 2));
      assertTrue(MarginalCostLaw.step(policy, current, inForce, revenue, dearer, p).multiplier().compareTo(next) >= 0,
          "monotone in energy price: " + what + " energy2=" + dearer);
    }
  }

  @Test
  void shouldApproachItsTargetFromOneSideOnSteadyTraffic() {
    Random rnd = new Random(7);
    for (int run = 0; run < 2_000; run++) {
      BigDecimal list = BigDecimal.valueOf(100 + rnd.nextInt(10_000), 2);
      BigDecimal energy = BigDecimal.valueOf(rnd.nextInt(12_000), 2);
      double p = rnd.nextDouble();
      BigDecimal m = between(rnd, POLICY.floor(), POLICY.ceiling());
      BigDecimal inForce = m;
      int direction = 0;
      for (int i = 0; i < 100; i++) {
        PricingController.Step s = MarginalCostLaw.step(POLICY, m, inForce, list.multiply(inForce), energy, p);
        int d = s.multiplier().compareTo(m);
        assertTrue(d == 0 || direction == 0 || d == direction, "never turns back: run " + run + " step " + i);
        direction = d == 0 ? direction : d;
        inForce = m;
        m = s.multiplier();
      }
    }
  }

  /** A step of the law from {@code current}, the interval's revenue earned at {@code current} too. */
  private static PricingController.Step step(String current, String revenue, String energy, double pressure) {
    return MarginalCostLaw.step(POLICY, new BigDecimal(current), new BigDecimal(current), new BigDecimal(revenue),
        new BigDecimal(energy), pressure);
  }

  private static BigDecimal between(Random rnd, BigDecimal lo, BigDecimal hi) {
    return lo.add(hi.subtract(lo).multiply(BigDecimal.valueOf(rnd.nextDouble()))).setScale(4, RoundingMode.DOWN).max(lo);
  }

  private static PricingPolicy policy(String floor, String ceiling, String maxStep, String deadband) {
    return new PricingPolicy(300_000L, new BigDecimal("0.30"), new BigDecimal(floor), new BigDecimal(ceiling),
        new BigDecimal(maxStep), new BigDecimal(deadband), Map.of(), PricingLaw.MARGINAL_COST);
  }
}

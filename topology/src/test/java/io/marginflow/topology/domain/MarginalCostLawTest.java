package io.marginflow.topology.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.marginflow.topology.domain.MarginalCostLaw.Interval;
import io.marginflow.topology.domain.MarginalCostLaw.Normal;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The marginal-cost law: a worked example by hand, then its properties over random policies and intervals. */
class MarginalCostLawTest {
  private static final PricingPolicy POLICY = policy("0.8", "1.5", "0.05", "0.01");
  /** Normal: pressure 0.4, marginal cost 0.1 of list revenue, energy at 0.1 USD/kWh. */
  private static final Normal NORMAL = new Normal(0.4, 0.1, 0.1);
  /** Every interval of the worked example draws 10 kWh. */
  private static final BigDecimal KWH = BigDecimal.TEN;

  @Test
  void shouldFollowTheWorkedExample() {
    // List revenue 10 USD (earned at 1.0), 10 kWh for 1 USD: m_mc = 0.1 and 0.1 USD/kWh, as normal; lo = 0.8.
    // Normal pressure: target 1.0, the multiplier stays.
    assertFalse(step("1.0", "1", 0.4).changed());
    // Busier, 0.7: load = (1.5 - 1)(0.7 - 0.4)/(1 - 0.4) = 0.25, target 1.25, half the way is +0.125, capped: 1.05.
    assertEquals("1.05", plain(step("1.0", "1", 0.7).multiplier()));
    // Quieter, 0.2: nothing to fill below list (a cut there loses what demand does not make up), held at 1.0.
    assertFalse(step("1.0", "1", 0.2).changed());
    // After a burst, at 1.2, back at normal pressure: target 1.0, half the way is -0.1, capped: 1.15 (GPUs not busy).
    assertEquals("1.15", plain(step("1.2", "1", 0.4).multiplier()));
    // From 1.0166 at normal pressure: half the way is -0.0083, inside the deadband: held.
    assertFalse(step("1.0166", "1", 0.4).changed());
    // Energy at twice its normal price, 2 USD: 0.1 x (0.2 / 0.1 - 1) = +0.1 passed through, target 1.1: 1.05.
    assertEquals("1.05", plain(step("1.0", "2", 0.4).multiplier()));
    // From 1.05, at 0.13 USD/kWh: +0.03, target 1.03, half the way down: -0.01 -> 1.04 (a cut, GPUs not busy).
    assertEquals("1.04", plain(step("1.05", "1.3", 0.4).multiplier()));
    // Energy cheaper than normal, 0.05 USD/kWh: no cut below list either.
    assertFalse(step("1.0", "0.5", 0.4).changed());
    // Energy at 1.2 USD/kWh, 12 USD: m_mc = 1.2 above list, the price goes to marginal cost at once (beyond max-step).
    PricingController.Step spike = step("1.0", "12", 0.4);
    assertEquals("1.2", plain(spike.multiplier()));
    assertTrue(spike.reason().contains("never below marginal cost"), spike.reason());
    // Busy (0.6) and busier than normal (0.5): the target 1 + 0.5 x 0.1/0.5 = 1.1 is below 1.3, but no cut.
    assertFalse(MarginalCostLaw.step(POLICY, new BigDecimal("1.3"), interval("1.3", "13", "1", 0.6),
        new Normal(0.5, 0.1, 0.1)).changed());
    // Busy (0.6) but less than normal (0.7): the target 1.0, half the way from 1.3 is -0.15, capped: 1.25.
    assertEquals("1.25", plain(MarginalCostLaw.step(POLICY, new BigDecimal("1.3"), interval("1.3", "13", "1", 0.6),
        new Normal(0.7, 0.1, 0.1)).multiplier()));
  }

  @Test
  void shouldTakeTheFirstIntervalAsNormalAndAverageAfterIt() {
    Interval first = interval("1", "10", "3", 0.9);
    assertFalse(MarginalCostLaw.step(POLICY, BigDecimal.ONE, first, null).changed(), "nothing is abnormal yet");
    Normal normal = Normal.first(first);
    assertEquals(new Normal(0.9, 0.3, 0.3), normal);
    // A twelfth of the way (5 min of 1 h) toward pressure 0.3, m_mc 0.6 and 0.6 USD/kWh; unmeasured figures leave it.
    Normal next = normal.next(1.0 / 12, interval("1", "10", "6", 0.3));
    assertEquals(0.9 + (0.3 - 0.9) / 12, next.pressure(), 1e-12);
    assertEquals(0.3 + (0.6 - 0.3) / 12, next.marginal(), 1e-12);
    assertEquals(0.3 + (0.6 - 0.3) / 12, next.energyPrice(), 1e-12);
    assertEquals(normal, normal.next(1.0 / 12, new Interval(null, null, Double.NaN)));
    assertNull(MarginalCostLaw.marginal(BigDecimal.ONE, BigDecimal.ZERO, BigDecimal.ONE), "no revenue, no marginal cost");
    // Revenue 13 at 1.3 is 10 at list; energy 1: 0.1.
    assertEquals("0.1", plain(MarginalCostLaw.marginal(new BigDecimal("1.3"), new BigDecimal("13"), BigDecimal.ONE)));
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
      Normal normal = new Normal(rnd.nextDouble(), rnd.nextDouble() * 1.2, 0.05 + rnd.nextDouble() * 0.3);
      BigDecimal kwh = BigDecimal.valueOf(1 + rnd.nextInt(100_000), 2);
      PricingController.Step s = MarginalCostLaw.step(policy, current, Interval.of(inForce, revenue, energy, kwh, p), normal);
      BigDecimal next = s.multiplier();
      String what = policy + " m=" + current + " inForce=" + inForce + " rev=" + revenue + " energy=" + energy + " p=" + p
          + " " + normal;
      // Marginal cost: the normal one at this interval's energy price (energy / kWh over the normal price).
      BigDecimal lo = BigDecimal.valueOf(normal.marginal()).multiply(energy.divide(kwh, MathContext.DECIMAL128))
          .divide(BigDecimal.valueOf(normal.energyPrice()), MathContext.DECIMAL128).setScale(4, RoundingMode.CEILING)
          .max(policy.floor()).min(policy.ceiling());
      assertTrue(next.compareTo(policy.floor()) >= 0 && next.compareTo(policy.ceiling()) <= 0, "bounds: " + what);
      assertTrue(next.compareTo(lo) >= 0, "never below marginal cost: " + what);
      BigDecimal change = next.subtract(current).abs();
      if (s.changed() && next.compareTo(lo) != 0) {
        assertTrue(change.compareTo(policy.maxStep()) <= 0, "step: " + what);
        assertTrue(change.compareTo(policy.deadband()) >= 0, "deadband: " + what);
      }
      if (next.compareTo(current) < 0) {
        assertTrue(p < MarginalCostLaw.CUTS_BELOW || p <= normal.pressure() + MarginalCostLaw.NORMAL_TOLERANCE,
            "cuts only while GPUs are not busy or no busier than normal: " + what);
        assertTrue(next.compareTo(BigDecimal.ONE) >= 0 || next.compareTo(lo) == 0, "no cut below list: " + what);
      }
      double p2 = Math.min(1, p + rnd.nextDouble() * (1 - p));
      assertTrue(MarginalCostLaw.step(policy, current, Interval.of(inForce, revenue, energy, kwh, p2), normal).multiplier()
          .compareTo(next) >= 0, "monotone in pressure: " + what + " p2=" + p2);
      BigDecimal dearer = energy.add(BigDecimal.valueOf(rnd.nextInt(5_000), 2));
      assertTrue(MarginalCostLaw.step(policy, current, Interval.of(inForce, revenue, dearer, kwh, p), normal).multiplier()
          .compareTo(next) >= 0, "monotone in energy price: " + what + " energy2=" + dearer);
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
      // Traffic that has been steady is its own normal; load that just changed adapts its normal as it goes.
      boolean settled = rnd.nextBoolean();
      BigDecimal kwh = BigDecimal.valueOf(1 + rnd.nextInt(100_000), 2);
      Normal normal = Normal.first(Interval.of(m, list.multiply(m), energy, kwh, p));
      normal = settled ? normal : new Normal(rnd.nextDouble(), normal.marginal(), normal.energyPrice());
      int direction = 0;
      int turns = 0;
      for (int i = 0; i < 100; i++) {
        Interval now = Interval.of(inForce, list.multiply(inForce), energy, kwh, p);
        PricingController.Step s = MarginalCostLaw.step(POLICY, m, now, normal);
        int d = s.multiplier().compareTo(m);
        turns += d != 0 && direction != 0 && d != direction ? 1 : 0;
        direction = d == 0 ? direction : d;
        normal = normal.next(1.0 / 12, now);
        inForce = m;
        m = s.multiplier();
      }
      assertTrue(turns <= (settled ? 0 : 1), "turned back " + turns + " times: run " + run);
    }
  }

  /** A step from {@code current} (the interval earned at it, list revenue 10 USD, 10 kWh) against {@link #NORMAL}. */
  private static PricingController.Step step(String current, String energy, double pressure) {
    BigDecimal m = new BigDecimal(current);
    return MarginalCostLaw.step(POLICY, m, interval(current, m.multiply(BigDecimal.TEN).toPlainString(), energy, pressure),
        NORMAL);
  }

  private static Interval interval(String inForce, String revenue, String energy, double pressure) {
    return Interval.of(new BigDecimal(inForce), new BigDecimal(revenue), new BigDecimal(energy), KWH, pressure);
  }

  private static String plain(BigDecimal m) {
    return m.stripTrailingZeros().toPlainString();
  }

  private static BigDecimal between(Random rnd, BigDecimal lo, BigDecimal hi) {
    return lo.add(hi.subtract(lo).multiply(BigDecimal.valueOf(rnd.nextDouble()))).setScale(4, RoundingMode.DOWN).max(lo);
  }

  private static PricingPolicy policy(String floor, String ceiling, String maxStep, String deadband) {
    return new PricingPolicy(300_000L, new BigDecimal("0.30"), new BigDecimal(floor), new BigDecimal(ceiling),
        new BigDecimal(maxStep), new BigDecimal(deadband), Map.of(), PricingLaw.MARGINAL_COST);
  }
}

package io.marginflow.topology.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The marginal-cost law: a worked example by hand, then its properties over random policies and intervals. */
class MarginalCostLawTest {
  private static final PricingPolicy POLICY = policy("0.8", "1.5", "0.05", "0.01");
  /** Normal: pressure 0.4, 10 kWh and 10 USD list revenue an interval (m_mc 0.1), energy at 0.1 USD/kWh. */
  private static final PricingNormal NORMAL = new PricingNormal(0.4, 10, 10, 0.1, 0);
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
        new PricingNormal(0.5, 10, 10, 0.1, 0)).changed());
    // Busy (0.6) but less than normal (0.7): the target 1.0, half the way from 1.3 is -0.15, capped: 1.25.
    assertEquals("1.25", plain(MarginalCostLaw.step(POLICY, new BigDecimal("1.3"), interval("1.3", "13", "1", 0.6),
        new PricingNormal(0.7, 10, 10, 0.1, 0)).multiplier()));
  }

  @Test
  void shouldTakeTheFirstIntervalAsNormalAndAverageAfterIt() {
    PricingInterval first = interval("1", "10", "3", 0.9);
    assertFalse(MarginalCostLaw.step(POLICY, BigDecimal.ONE, first, null).changed(), "nothing is abnormal yet");
    PricingNormal normal = PricingNormal.first(first);
    assertEquals(new PricingNormal(0.9, 10, 10, 0.3, 0), normal);
    // 5 minutes of a 1-hour horizon: a twelfth of the way toward pressure 0.3, 20 kWh, 5 USD and 0.6 USD/kWh.
    PricingNormal next = normal.next(3_600_000L, PricingInterval.of(300_000L, BigDecimal.ONE, new BigDecimal("5"),
        new BigDecimal("12"), new BigDecimal("20"), 0.3));
    assertEquals(0.9 + (0.3 - 0.9) / 12, next.pressure(), 1e-12);
    assertEquals(10 + (20 - 10) / 12.0, next.kwh(), 1e-12);
    assertEquals(10 + (5 - 10) / 12.0, next.listRevenueUsd(), 1e-12);
    assertEquals(0.3 + (0.6 - 0.3) / 12, next.energyPrice(), 1e-12);
    assertEquals(300_000L, next.atMs());
    // An interval without measurements leaves the figures; one a horizon or more later starts afresh.
    PricingInterval blank = new PricingInterval(600_000L, null, null, Double.NaN, Double.NaN, Double.NaN);
    assertEquals(new PricingNormal(0.9, 10, 10, 0.3, 600_000L), normal.next(3_600_000L, blank));
    PricingInterval late = interval("1", "10", "6", 0.2);
    late = new PricingInterval(7_200_000L, late.marginal(), late.energyPrice(), late.pressure(), late.kwh(),
        late.listRevenueUsd());
    assertEquals(new PricingNormal(0.2, 10, 10, 0.6, 7_200_000L), normal.next(3_600_000L, late));
    assertNull(MarginalCostLaw.marginal(BigDecimal.ONE, BigDecimal.ZERO, BigDecimal.ONE), "no revenue, no marginal cost");
    // Revenue 13 at 1.3 is 10 at list; energy 1: 0.1.
    assertEquals("0.1", plain(MarginalCostLaw.marginal(new BigDecimal("1.3"), new BigDecimal("13"), BigDecimal.ONE)));
    // Pressure above TDP counts as full; unmeasured pressure never cuts.
    assertEquals(1.0, interval("1", "10", "1", 1.3).pressure());
    assertFalse(MarginalCostLaw.step(POLICY, new BigDecimal("1.2"), interval("1.2", "12", "1", Double.NaN), NORMAL)
        .changed(), "no cut without a pressure reading");
  }

  @Test
  void shouldPriceFromTheNormalEnergyPerListUsdNotOneThinInterval() {
    // A thin interval: 1 USD of list revenue carrying 10 kWh (its own m_mc 1.0), normal 10 kWh per 10 USD at the same
    // price: marginal cost 0.1 x 10 / 10 = 0.1, not 1.0; target 1.0, held.
    PricingInterval thin = PricingInterval.of(0, BigDecimal.ONE, BigDecimal.ONE, BigDecimal.ONE, BigDecimal.TEN, 0.4);
    assertEquals("1", plain(thin.marginal()));
    assertFalse(MarginalCostLaw.step(POLICY, BigDecimal.ONE, thin, NORMAL).changed());
    // Marginal cost creeping just above the multiplier (1.004 at 1.0): up by the deadband at least, to 1.01.
    PricingNormal dear = new PricingNormal(0.4, 10, 1, 0.1004, 0);
    assertEquals("1.01", plain(MarginalCostLaw.step(POLICY, BigDecimal.ONE, interval("1", "10", "1.004", 0.4), dear)
        .multiplier()));
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
      PricingNormal normal = new PricingNormal(rnd.nextDouble(), 1 + rnd.nextDouble() * 100, 1 + rnd.nextDouble() * 100,
          0.05 + rnd.nextDouble() * 0.3, 0);
      BigDecimal kwh = BigDecimal.valueOf(1 + rnd.nextInt(100_000), 2);
      PricingController.Step s = MarginalCostLaw.step(policy, current, PricingInterval.of(0, inForce, revenue, energy, kwh, p),
          normal);
      BigDecimal next = s.multiplier();
      String what = policy + " m=" + current + " inForce=" + inForce + " rev=" + revenue + " energy=" + energy + " p=" + p
          + " " + normal;
      // Marginal cost: this interval's energy price (energy / kWh) times the normal kWh per list USD.
      BigDecimal lo = energy.divide(kwh, MathContext.DECIMAL128).multiply(BigDecimal.valueOf(normal.kwh()))
          .divide(BigDecimal.valueOf(normal.listRevenueUsd()), MathContext.DECIMAL128).setScale(4, RoundingMode.CEILING)
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
      assertTrue(MarginalCostLaw.step(policy, current, PricingInterval.of(0, inForce, revenue, energy, kwh, p2), normal).multiplier()
          .compareTo(next) >= 0, "monotone in pressure: " + what + " p2=" + p2);
      BigDecimal dearer = energy.add(BigDecimal.valueOf(rnd.nextInt(5_000), 2));
      assertTrue(MarginalCostLaw.step(policy, current, PricingInterval.of(0, inForce, revenue, dearer, kwh, p), normal).multiplier()
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
      PricingNormal normal = PricingNormal.first(PricingInterval.of(0, m, list.multiply(m), energy, kwh, p));
      normal = settled ? normal : new PricingNormal(rnd.nextDouble(), normal.kwh(), normal.listRevenueUsd(),
          normal.energyPrice(), 0);
      int direction = 0;
      int turns = 0;
      for (int i = 0; i < 100; i++) {
        PricingInterval now = PricingInterval.of(300_000L * (i + 1), inForce, list.multiply(inForce), energy, kwh, p);
        PricingController.Step s = MarginalCostLaw.step(POLICY, m, now, normal);
        int d = s.multiplier().compareTo(m);
        turns += d != 0 && direction != 0 && d != direction ? 1 : 0;
        direction = d == 0 ? direction : d;
        normal = normal.next(3_600_000L, now);
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

  private static PricingInterval interval(String inForce, String revenue, String energy, double pressure) {
    return PricingInterval.of(0, new BigDecimal(inForce), new BigDecimal(revenue), new BigDecimal(energy), KWH, pressure);
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

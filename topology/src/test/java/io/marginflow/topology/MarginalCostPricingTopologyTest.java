package io.marginflow.topology;

import static io.marginflow.topology.TopologyFixture.H;
import static io.marginflow.topology.TopologyFixture.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.marginflow.avro.PriceAdjustment;
import io.marginflow.topology.config.TopologyConfig;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import java.util.function.IntToDoubleFunction;
import org.junit.jupiter.api.Test;

/**
 * pricing.law=marginal-cost through the topology. One request a minute of 1,000 input and 100 output tokens at 2 and
 * 10 USD per 1M: list revenue 0.003 USD, 0.015 per 5-minute interval. One GPU (TDP 700 W) at a minute's watts for the
 * whole minute, PUE 1.2: watts x 60 s x 1.2 / 3.6e6 kWh a minute. Twelve minutes close three intervals (the last of two minutes).
 */
class MarginalCostPricingTopologyTest {
  private static final TopologyConfig CONFIG = TopologyConfig.with(Map.of("pricing.law", "marginal-cost"), 1);

  @Test
  void shouldRaiseToMarginalCostAtOnceWhenEnergyIsDear() {
    // 500 W at 1.00 USD/kWh: 0.01 USD a minute, 0.05 an interval: m_mc = 0.05 / 0.015 = 3.33, above the 1.5 ceiling.
    List<PriceAdjustment> a = run(minute -> 500, minute -> "1.00");
    assertEquals(new BigDecimal("1.500000000"), a.get(0).getMultiplier(), a.toString());
    assertEquals(H + 600_000L, a.get(0).getEffectiveFromMs().toEpochMilli());
    assertTrue(a.get(0).getReason().contains("at the ceiling, below marginal cost"), a.get(0).getReason());
  }

  @Test
  void shouldRaiseWhenTheGpusAreBusierThanNormal() {
    // Interval 1 at 100 W is the first: normal. Interval 2 at 400 W: pressure 4/7 against a normal of 1/7, load =
    // (1.5 - 1)(4/7 - 1/7)/(1 - 1/7) = 0.25; the energy price as normal: target 1.25, half the way from 1.0 is +0.125,
    // capped at max-step: 1.05, in force from the end of interval 3. Interval 3 (minutes 10-11) is as busy against a
    // normal of 1/7 + (4/7 - 1/7)/12 = 0.1786 (a 5-minute step of a 1-hour average): target 1.2391, another 0.05.
    List<PriceAdjustment> a = run(minute -> minute < 5 ? 100 : 400, minute -> "0.10");
    assertEquals(List.of(new BigDecimal("1.050000000"), new BigDecimal("1.100000000")), multipliers(a), a.toString());
    assertEquals(H + 900_000L, a.get(0).getEffectiveFromMs().toEpochMilli());
    assertTrue(a.get(1).getReason().contains("normal 0.18), target 1.2391"), a.get(1).getReason());
  }

  @Test
  void shouldNotCutBelowListWhenTheGpusAreQuieterThanNormal() {
    assertEquals(List.of(), run(minute -> minute < 5 ? 400 : 100, minute -> "0.10"));
  }

  @Test
  void shouldPassADearerEnergyPriceThrough() {
    // 100 W throughout; energy at 0.10 USD/kWh, then 0.50 from interval 2: normal m_mc 0.0667 x (0.50 / 0.10 - 1) =
    // +0.2667, target 1.2667, capped at max-step: 1.05; interval 3 as dear: another 0.05.
    List<PriceAdjustment> a = run(minute -> 100, minute -> minute < 5 ? "0.10" : "0.50");
    assertEquals(List.of(new BigDecimal("1.050000000"), new BigDecimal("1.100000000")), multipliers(a), a.toString());
  }

  private static List<BigDecimal> multipliers(List<PriceAdjustment> a) {
    return a.stream().map(PriceAdjustment::getMultiplier).toList();
  }

  /** Twelve minutes: the watts and the energy price (from the minute on) of each minute. */
  private static List<PriceAdjustment> run(IntToDoubleFunction watts, IntFunction<String> usdPerKwh) {
    try (TopologyFixture f = new TopologyFixture(CONFIG)) {
      f.node("n1", "eu-west", "250000", 4, 1.2, "2.50");
      f.energyPrice("eu-west", H - 3_600_000L, usdPerKwh.apply(0));
      f.price("m", "2", "1", "10");
      for (int minute = 0; minute < 12; minute++) {
        long bucket = H + minute * 60_000L;
        if (minute > 0 && !usdPerKwh.apply(minute).equals(usdPerKwh.apply(minute - 1))) {
          f.energyPrice("eu-west", bucket, usdPerKwh.apply(minute));
        }
        for (int s = 0; s < 4; s++) {
          f.watts("n1", "0", bucket + s * 15_000L, 15_000, watts.applyAsDouble(minute));
        }
        f.send(request("r" + minute, bucket + 1_000, "A", "m", "n1", 1000, 0, 100));
      }
      f.closeEverythingAfter(H + 12 * 60_000L);
      return f.adjustments.readValuesToList();
    }
  }
}

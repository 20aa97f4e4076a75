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
import org.junit.jupiter.api.Test;

/**
 * pricing.law=marginal-cost through the topology. One request a minute of 1,000 input and 100 output tokens at 2 and
 * 10 USD per 1M: list revenue 0.003 USD, 0.015 per 5-minute interval. One GPU (TDP 700 W) at {@code watts} for the
 * whole minute, PUE 1.2: {@code watts} x 60 s x 1.2 / 3.6e6 kWh a minute.
 */
class MarginalCostPricingTopologyTest {
  private static final TopologyConfig CONFIG = TopologyConfig.with(Map.of("pricing.law", "marginal-cost"), 1);

  @Test
  void shouldRaiseToMarginalCostAtOnceWhenEnergyIsDear() {
    // 500 W at 1.00 USD/kWh: 0.01 USD a minute, 0.05 an interval: m_mc = 0.05 / 0.015 = 3.33, above the 1.5 ceiling.
    List<PriceAdjustment> a = run(500, "1.00");
    assertEquals(new BigDecimal("1.500000000"), a.get(0).getMultiplier(), a.toString());
    assertEquals(H + 600_000L, a.get(0).getEffectiveFromMs().toEpochMilli());
    assertTrue(a.get(0).getReason().contains("at the ceiling, below marginal cost"), a.get(0).getReason());
  }

  @Test
  void shouldCutTowardMarginalCostWhileGpusAreIdle() {
    // 100 W at 0.10 USD/kWh: 0.0002 USD a minute, m_mc = 0.001 / 0.015 = 0.07, lo = floor 0.8; pressure 100 / 700:
    // target 0.8 + 0.7 x 1/7 = 0.9, half the way from 1.0 is -0.05 (max-step): 0.95; then from 0.95: -0.025.
    List<PriceAdjustment> a = run(100, "0.10");
    assertEquals(new BigDecimal("0.950000000"), a.get(0).getMultiplier(), a.toString());
    assertEquals(new BigDecimal("0.925000000"), a.get(1).getMultiplier(), a.toString());
  }

  private static List<PriceAdjustment> run(double watts, String usdPerKwh) {
    try (TopologyFixture f = new TopologyFixture(CONFIG)) {
      f.node("n1", "eu-west", "250000", 4, 1.2, "2.50");
      f.energyPrice("eu-west", H - 3_600_000L, usdPerKwh);
      f.price("m", "2", "1", "10");
      for (int minute = 0; minute < 12; minute++) {
        long bucket = H + minute * 60_000L;
        for (int s = 0; s < 4; s++) {
          f.watts("n1", "0", bucket + s * 15_000L, 15_000, watts);
        }
        f.send(request("r" + minute, bucket + 1_000, "A", "m", "n1", 1000, 0, 100));
      }
      f.closeEverythingAfter(H + 12 * 60_000L);
      return f.adjustments.readValuesToList();
    }
  }
}

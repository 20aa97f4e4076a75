package io.marginflow.topology;

import static io.marginflow.topology.TopologyFixture.H;
import static io.marginflow.topology.TopologyFixture.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.marginflow.avro.PriceAdjustment;
import io.marginflow.avro.TenantMargin;
import io.marginflow.topology.config.TopologyConfig;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The dynamic-pricing loop on the real topology (SPEC 4, 9), under the margin-ratio law. By hand: node n1 draws 500 W
 * on one GPU, so each of its buckets costs C = 0.161496996 USD (as in CostBudgetTopologyTest); tenant A sends one
 * request a minute (1,000 input and 100 output tokens of m at 2 and 10 USD per 1M: 0.003 USD), so the first 5-minute
 * interval [H, H+5m) earns 0.015 USD against 5C = 0.807484980 USD: a margin ratio of (0.015 - 0.80748498) / 0.015 =
 * -52.832332. The multiplier that would meet the 30 % target is 1.0 x 52.832332... / 0.7 + ..., far above 1; the step
 * is capped: 1.00 -> 1.05, effective one interval after the interval's end, at H+10m. The second interval, realized at
 * 1.0 too, moves the latest decision on: 1.05 -> 1.10 from H+15m. A request of B at H+10m - 1 ms is priced at 1.0
 * (0.003), one of C at H+10m at 1.05 (0.00315), one of D at H+15m at 1.10 (0.0033).
 */
class DynamicPricingTopologyTest {

  @Test
  void shouldApplyEachAdjustmentFromItsEffectiveTimeOnAndChainThem() {
    try (TopologyFixture f = new TopologyFixture(TopologyConfig.with(Map.of("pricing.law", "margin-ratio"), 1))) {
      f.node("n1", "eu-west", "250000", 4, 1.2, "2.50");
      f.price("m", "2", "1", "10");
      for (int minute = 0; minute < 20; minute++) {
        long bucket = H + minute * 60_000L;
        for (int s = 0; s < 4; s++) {
          f.watts("n1", "0", bucket + s * 15_000L, 15_000, 500);
        }
        f.send(request("a" + minute, bucket + 1_000, "A", "m", "n1", 1000, 0, 100));
        if (minute == 9) {
          f.send(request("b", H + 600_000L - 1, "B", "m", "n1", 1000, 0, 100));
        } else if (minute == 10) {
          f.send(request("c", H + 600_000L, "C", "m", "n1", 1000, 0, 100));
        } else if (minute == 15) {
          f.send(request("d", H + 900_000L, "D", "m", "n1", 1000, 0, 100));
        }
      }
      f.closeEverythingAfter(H + 20 * 60_000L);

      List<PriceAdjustment> adjustments = f.adjustments.readValuesToList();
      assertTrue(adjustments.size() >= 2, adjustments.toString());
      PriceAdjustment first = adjustments.get(0);
      assertEquals("m", first.getModel());
      assertEquals("eu-west", first.getRegion());
      assertEquals(new BigDecimal("1.000000000"), first.getPreviousMultiplier());
      assertEquals(new BigDecimal("1.050000000"), first.getMultiplier());
      assertEquals(H + 600_000L, first.getEffectiveFromMs().toEpochMilli());
      assertEquals(new BigDecimal("-52.832332000"), first.getRealizedMarginRatio(), "(0.015 - 0.80748498) / 0.015");
      assertEquals(500.0 / 700, first.getComputePressure(), 1e-12);
      assertTrue(first.getReason().contains("step capped at 0.05"), first.getReason());
      PriceAdjustment second = adjustments.get(1);
      assertEquals(first.getMultiplier(), second.getPreviousMultiplier(), "each adjustment starts where the last one ended");
      assertEquals(new BigDecimal("1.100000000"), second.getMultiplier());
      assertEquals(H + 900_000L, second.getEffectiveFromMs().toEpochMilli());
      for (PriceAdjustment a : adjustments) {
        assertTrue(a.getMultiplier().compareTo(new BigDecimal("1.5")) <= 0, "never above the ceiling: " + a);
        assertTrue(a.getMultiplier().subtract(a.getPreviousMultiplier()).abs().compareTo(new BigDecimal("0.05")) <= 0,
            "never a step above max-step: " + a);
      }

      Map<String, BigDecimal> revenue = f.margins("1h").stream()
          .collect(Collectors.toMap(TenantMargin::getTenantId, TenantMargin::getRevenueUsd));
      assertEquals(new BigDecimal("0.003000000"), revenue.get("B"), "just before effective_from: the old multiplier");
      assertEquals(new BigDecimal("0.003150000"), revenue.get("C"), "at effective_from: the new one");
      assertEquals(new BigDecimal("0.003300000"), revenue.get("D"), "and the next one from its own effective_from");
    }
  }
}

package io.marginflow.topology.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.math.RoundingMode;
import org.junit.jupiter.api.Test;

class CostFormulasTest {

  @Test
  void shouldComputeFixedCostPerBucket() {
    // 350,640 USD over 4 years of 8766 h = 10 USD/h; + 0.5 USD/h overhead; a 60 s bucket = 10.5 / 60 = 0.175
    NodeCosts node = new NodeCosts("r", BigDecimal.ONE, new BigDecimal("350640"), new BigDecimal("4"), new BigDecimal("0.5"));
    assertEquals(0, new BigDecimal("0.175").compareTo(node.fixedCost(60_000)));
  }

  @Test
  void shouldComputeFacilityEnergyAndItsCost() {
    // 700 W for 15 s = 10,500 J; x PUE 1.2 = 12,600 J = 0.0035 kWh; x 0.2 USD = 0.0007 USD
    BigDecimal joules = BucketCost.joules(700, 15_000);
    assertEquals(0, new BigDecimal("10500").compareTo(joules));
    NodeCosts node = new NodeCosts("r", new BigDecimal("1.2"), BigDecimal.ZERO, BigDecimal.ONE, BigDecimal.ZERO);
    BucketCost cost = BucketCost.of(joules, node, new BigDecimal("0.2"), 60_000);
    assertEquals(0, new BigDecimal("0.0035").compareTo(cost.kwh()));
    assertEquals(0, new BigDecimal("0.0007").compareTo(cost.energyCostUsd()));
  }

  @Test
  void shouldWeighAndPriceRequests() {
    // (1000 - 300) x 1 + 300 x 0.1 + 200 x 4 = 700 + 30 + 800
    assertEquals(0, new BigDecimal("1530").compareTo(Weights.DEFAULT.of(1000, 300, 200)));
    Prices prices = new Prices(new BigDecimal("2.5"), new BigDecimal("1.25"), new BigDecimal("10"));
    // (700 x 2.5 + 300 x 1.25 + 200 x 10) / 1e6 = (1750 + 375 + 2000) / 1e6 = 0.004125
    assertEquals(0, new BigDecimal("0.004125").compareTo(prices.revenue(1000, 300, 200)));
  }

  @Test
  void shouldFinalizeBucketsStrictlyAfterEndPlusGrace() {
    long b = 1_767_607_200_000L;
    assertFalse(Buckets.isFinal(b, 60_000, 300_000, b + 360_000));
    assertTrue(Buckets.isFinal(b, 60_000, 300_000, b + 360_001));
    assertEquals(b, Buckets.finalizedThrough(60_000, 300_000, b + 360_000));
    assertEquals(b + 60_000, Buckets.finalizedThrough(60_000, 300_000, b + 360_001));
    assertEquals(b, Buckets.start(b + 59_999, 60_000));
  }

  @Test
  void shouldComputeTheMarginRatioOnRoundedFigures() {
    MarginFigures f = MarginFigures.of(new BigDecimal("3.0000000004"), new BigDecimal("1.000000000"),
        new BigDecimal("0.500000000"));
    assertEquals(new BigDecimal("3.000000000"), f.revenueUsd());
    assertEquals(new BigDecimal("1.500000000"), f.grossMarginUsd());
    assertEquals(new BigDecimal("0.5").setScale(9, RoundingMode.UNNECESSARY), f.marginRatio());
    assertEquals(null, MarginFigures.of(BigDecimal.ZERO, BigDecimal.ONE, BigDecimal.ZERO).marginRatio());
  }
}

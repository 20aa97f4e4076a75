package io.marginflow.topology.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ShareAllocatorTest {

  @Test
  void shouldSplitOneCentInThreeExactly() {
    List<BigDecimal> parts = ShareAllocator.allocate(new BigDecimal("0.010000000"),
        List.of(BigDecimal.ONE, BigDecimal.ONE, BigDecimal.ONE));
    // 10,000,000 nanos / 3 = 3,333,333 each, remainder 1 goes to the first (ties: earliest)
    assertEquals(List.of(new BigDecimal("0.003333334"), new BigDecimal("0.003333333"), new BigDecimal("0.003333333")), parts);
  }

  @Test
  void shouldGiveZeroWeightsNothing() {
    List<BigDecimal> parts = ShareAllocator.allocate(new BigDecimal("1.000000000"),
        List.of(BigDecimal.ZERO, new BigDecimal("2"), new BigDecimal("6")));
    assertEquals(List.of(new BigDecimal("0E-9"), new BigDecimal("0.250000000"), new BigDecimal("0.750000000")), parts);
  }

  @Test
  void shouldConserveTheAmountForRandomInputs() {
    Random random = new Random(42);
    for (int round = 0; round < 2_000; round++) {
      BigDecimal amount = BigDecimal.valueOf(random.nextLong(0, 10_000_000_000L), 9);
      int n = 1 + random.nextInt(12);
      List<BigDecimal> weights = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        weights.add(BigDecimal.valueOf(random.nextInt(0, 100_000), random.nextInt(0, 3)));
      }
      if (weights.stream().allMatch(w -> w.signum() == 0)) {
        weights.set(0, BigDecimal.ONE);
      }
      List<BigDecimal> parts = ShareAllocator.allocate(amount, weights);
      assertEquals(amount, parts.stream().reduce(BigDecimal.ZERO, BigDecimal::add), "sum of parts, round " + round);
      BigDecimal total = weights.stream().reduce(BigDecimal.ZERO, BigDecimal::add);
      for (int i = 0; i < n; i++) {
        BigDecimal exact = amount.multiply(weights.get(i)).divide(total, MathContext.DECIMAL128);
        assertTrue(parts.get(i).subtract(exact).abs().compareTo(new BigDecimal("0.000000001")) < 0,
            "each part within a nano-dollar of its exact share");
      }
    }
  }

  @Test
  void shouldConserveBucketCostInAttribution() {
    Random random = new Random(7);
    for (int round = 0; round < 500; round++) {
      BucketCost cost = new BucketCost(BigDecimal.valueOf(random.nextDouble()),
          BigDecimal.valueOf(random.nextDouble()).divide(BigDecimal.valueOf(7), MathContext.DECIMAL128),
          BigDecimal.valueOf(random.nextDouble()).divide(BigDecimal.valueOf(3), MathContext.DECIMAL128));
      List<BucketLine> lines = new ArrayList<>();
      List<BigDecimal> extras = new ArrayList<>();
      for (int i = 0; i < 1 + random.nextInt(8); i++) {
        lines.add(new BucketLine("t" + i, "m", "r", 1, 10, 0, 5, 0, BigDecimal.valueOf(random.nextInt(0, 5000)),
            BigDecimal.ZERO));
        extras.add(BigDecimal.ZERO);
      }
      List<LineShare> shares = Attribution.split(cost, lines, extras, "r");
      BigDecimal c9 = cost.totalUsd().setScale(9, java.math.RoundingMode.HALF_EVEN);
      assertEquals(c9, shares.stream().map(LineShare::totalCostUsd).reduce(BigDecimal.ZERO, BigDecimal::add));
      assertEquals(cost.energyCostUsd().setScale(9, java.math.RoundingMode.HALF_EVEN),
          shares.stream().map(LineShare::energyCostUsd).reduce(BigDecimal.ZERO, BigDecimal::add));
    }
  }
}

package io.marginflow.topology.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * SPEC 3's two-level split against the exact figures: over random buckets (partitions with and without lines, lines
 * that weigh nothing, weightless buckets), the shares add up exactly to C and to its energy part, and each is within
 * 2e-9 USD of C * w / W.
 */
class TwoLevelSplitTest {
  private static final BigDecimal TOLERANCE = new BigDecimal("0.000000002");

  @Test
  void shouldStayWithinTwoNanosOfTheExactShareAndConserveEveryBucket() {
    Random rng = new Random(7);
    int weightless = 0;
    for (int bucket = 0; bucket < 2_000; bucket++) {
      int partitions = 1 + rng.nextInt(6);
      List<List<BucketLine>> byPartition = new ArrayList<>();
      for (int p = 0; p < partitions; p++) {
        List<BucketLine> lines = new ArrayList<>();
        int n = rng.nextInt(5);
        for (int i = 0; i < n; i++) {
          BigDecimal w = rng.nextInt(4) == 0 ? BigDecimal.ZERO : BigDecimal.valueOf(rng.nextInt(200_000), 1);
          lines.add(new BucketLine("t" + p + "-" + i, "m", "r", 1, 0, 0, 0, 0, w, BigDecimal.ZERO));
        }
        byPartition.add(lines);
      }
      BucketCost cost = new BucketCost(BigDecimal.valueOf(rng.nextInt(5_000_000), 7),
          BigDecimal.valueOf(rng.nextInt(900_000_000), 12).add(BigDecimal.valueOf(rng.nextInt(1000), 15)),
          BigDecimal.valueOf(rng.nextInt(50_000_000), 10));
      List<LineShare> shares = twoLevel(cost, byPartition);
      BigDecimal total = cost.totalUsd().setScale(9, RoundingMode.HALF_EVEN);
      BigDecimal energy = cost.energyCostUsd().setScale(9, RoundingMode.HALF_EVEN);
      assertEquals(total, shares.stream().map(LineShare::totalCostUsd).reduce(BigDecimal.ZERO, BigDecimal::add),
          "bucket " + bucket + ": the shares add up to C");
      assertEquals(energy, shares.stream().map(LineShare::energyCostUsd).reduce(BigDecimal.ZERO, BigDecimal::add),
          "bucket " + bucket + ": and to its energy part");
      BigDecimal w = byPartition.stream().flatMap(List::stream).map(BucketLine::weight).reduce(BigDecimal.ZERO, BigDecimal::add);
      if (w.signum() == 0) {
        weightless++;
        LineShare idle = shares.get(shares.size() - 1);
        assertEquals(Attribution.IDLE, idle.line().tenant());
        assertEquals(total, idle.totalCostUsd());
        continue;
      }
      for (LineShare s : shares) {
        BigDecimal exact = cost.totalUsd().multiply(s.line().weight()).divide(w, MathContext.DECIMAL128);
        assertTrue(s.totalCostUsd().subtract(exact).abs().compareTo(TOLERANCE) <= 0,
            "bucket " + bucket + " " + s.line().tenant() + ": " + s.totalCostUsd() + " against " + exact);
      }
    }
    assertTrue(weightless > 0, "some buckets weigh nothing");
  }

  /** The node task's level (partitions as lines), then each partition's level, as the two tasks do it. */
  private static List<LineShare> twoLevel(BucketCost cost, List<List<BucketLine>> byPartition) {
    List<BucketLine> partitionLines = new ArrayList<>();
    List<BigDecimal> extras = new ArrayList<>();
    List<Integer> withLines = new ArrayList<>();
    for (int p = 0; p < byPartition.size(); p++) {
      if (!byPartition.get(p).isEmpty()) {
        BigDecimal wp = byPartition.get(p).stream().map(BucketLine::weight).reduce(BigDecimal.ZERO, BigDecimal::add);
        partitionLines.add(new BucketLine(String.format("%010d", p), "", "", 0, 0, 0, 0, 0, wp, BigDecimal.ZERO));
        extras.add(BigDecimal.ZERO);
        withLines.add(p);
      }
    }
    BigDecimal w = partitionLines.stream().map(BucketLine::weight).reduce(BigDecimal.ZERO, BigDecimal::add);
    List<LineShare> out = new ArrayList<>();
    List<LineShare> slices = Attribution.split(cost, partitionLines, extras, "r");
    for (int k = 0; k < slices.size(); k++) {
      LineShare slice = slices.get(k);
      boolean idle = Attribution.IDLE.equals(slice.line().tenant());
      List<BucketLine> lines = idle ? List.of() : byPartition.get(withLines.get(k));
      SliceCost c = new SliceCost(slice.totalCostUsd(), slice.energyCostUsd(), cost.totalUsd(), cost.kwh(), w, idle, "r");
      out.addAll(Attribution.splitSlice(c, lines, lines.stream().map(l -> BigDecimal.ZERO).toList()));
    }
    return out;
  }
}

package io.marginflow.topology.domain;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits a finalized node bucket's cost among its request lines by weight (SPEC 3). The bucket's total cost
 * C and its energy cost are each rounded once to nano-dollars and allocated exactly (largest remainder), so the
 * lines' totals sum to C and their energy costs to the energy cost: nothing is created or lost.
 */
public final class Attribution {
  /** The pseudo-tenant (and model) that absorbs a bucket's cost when no request weighs anything. */
  public static final String IDLE = "__idle__";
  private static final int SCALE = 9;

  private Attribution() {
  }

  /**
   * The shares of {@code lines} (each with its summed weight) in a bucket costing {@code cost}; when the weights
   * sum to 0, an {@code __idle__} line in {@code nodeRegion} takes everything and the other lines get 0.
   * {@code cacheExtraWeights} are the weights the lines' cached tokens would have added uncached. Callers pass
   * the lines in a fixed order (ties in the rounding go to the earlier line), so the result is reproducible.
   */
  public static List<LineShare> split(BucketCost cost, List<BucketLine> lines, List<BigDecimal> cacheExtraWeights,
      String nodeRegion) {
    BigDecimal total = cost.totalUsd().setScale(SCALE, RoundingMode.HALF_EVEN);
    BigDecimal energy = cost.energyCostUsd().setScale(SCALE, RoundingMode.HALF_EVEN);
    List<BigDecimal> weights = lines.stream().map(BucketLine::weight).toList();
    BigDecimal weightSum = weights.stream().reduce(BigDecimal.ZERO, BigDecimal::add);
    List<LineShare> out = new ArrayList<>(lines.size() + 1);
    if (weightSum.signum() == 0) {
      for (BucketLine line : lines) {
        out.add(new LineShare(line, BigDecimal.ZERO, zero(), zero(), zero()));
      }
      out.add(new LineShare(BucketLine.idle(nodeRegion), cost.kwh(), energy, total.subtract(energy), zero()));
      return out;
    }
    List<BigDecimal> totals = ShareAllocator.allocate(total, weights);
    List<BigDecimal> energies = ShareAllocator.allocate(energy, weights);
    BigDecimal costPerWeight = cost.totalUsd().divide(weightSum, MathContext.DECIMAL128);
    for (int i = 0; i < lines.size(); i++) {
      BigDecimal w = weights.get(i);
      BigDecimal kwh = cost.kwh().multiply(w).divide(weightSum, MathContext.DECIMAL128);
      BigDecimal savings = costPerWeight.multiply(cacheExtraWeights.get(i)).setScale(SCALE, RoundingMode.HALF_EVEN);
      out.add(new LineShare(lines.get(i), kwh, energies.get(i), totals.get(i).subtract(energies.get(i)), savings));
    }
    return out;
  }

  /**
   * The second level of SPEC 3's two-level split: a partition's slice among its {@code lines} (in a fixed order, as for
   * {@link #split}), by largest remainder on the slice's cost and on its energy part; kWh and cache savings by the
   * node's W, as the one-level split gives them. A weightless bucket's lines get 0, and the idle slice goes whole to an
   * {@code __idle__} line.
   */
  public static List<LineShare> splitSlice(SliceCost slice, List<BucketLine> lines, List<BigDecimal> cacheExtraWeights) {
    List<LineShare> out = new ArrayList<>(lines.size() + 1);
    List<BigDecimal> weights = lines.stream().map(BucketLine::weight).toList();
    boolean weightless = weights.stream().allMatch(w -> w.signum() == 0);
    if (weightless && slice.totalUsd().signum() != 0 && !slice.idle()) {
      throw new IllegalStateException("a cost slice of " + slice.totalUsd() + " USD for lines that weigh nothing");
    }
    if (slice.nodeWeight().signum() == 0 || weightless) {
      BigDecimal perWeight = slice.nodeWeight().signum() == 0 ? BigDecimal.ZERO
          : slice.nodeCostUsd().divide(slice.nodeWeight(), MathContext.DECIMAL128);
      for (int i = 0; i < lines.size(); i++) {
        out.add(new LineShare(lines.get(i), BigDecimal.ZERO, zero(), zero(),
            perWeight.multiply(cacheExtraWeights.get(i)).setScale(SCALE, RoundingMode.HALF_EVEN)));
      }
      if (slice.idle()) {
        BigDecimal energy = slice.energyUsd().setScale(SCALE, RoundingMode.HALF_EVEN);
        out.add(new LineShare(BucketLine.idle(slice.nodeRegion()), slice.nodeKwh(), energy,
            slice.totalUsd().setScale(SCALE, RoundingMode.HALF_EVEN).subtract(energy), zero()));
      }
      return out;
    }
    List<BigDecimal> totals = ShareAllocator.allocate(slice.totalUsd().setScale(SCALE, RoundingMode.HALF_EVEN), weights);
    List<BigDecimal> energies = ShareAllocator.allocate(slice.energyUsd().setScale(SCALE, RoundingMode.HALF_EVEN), weights);
    BigDecimal costPerWeight = slice.nodeCostUsd().divide(slice.nodeWeight(), MathContext.DECIMAL128);
    for (int i = 0; i < lines.size(); i++) {
      BigDecimal kwh = slice.nodeKwh().multiply(weights.get(i)).divide(slice.nodeWeight(), MathContext.DECIMAL128);
      BigDecimal savings = costPerWeight.multiply(cacheExtraWeights.get(i)).setScale(SCALE, RoundingMode.HALF_EVEN);
      out.add(new LineShare(lines.get(i), kwh, energies.get(i), totals.get(i).subtract(energies.get(i)), savings));
    }
    return out;
  }

  private static BigDecimal zero() {
    return BigDecimal.ZERO.setScale(SCALE);
  }
}

package io.marginflow.bench.jmh;

import io.marginflow.topology.domain.Attribution;
import io.marginflow.topology.domain.BucketCost;
import io.marginflow.topology.domain.BucketLine;
import io.marginflow.topology.domain.LineShare;
import io.marginflow.topology.domain.Weights;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

/**
 * SPEC 3 split of one finalized node bucket among its lines: exact to the nano-dollar with largest remainders (what
 * the pipeline does), against the plain per-line {@code C * w / W} rounded on its own (which can create or lose
 * nano-dollars).
 */
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class AttributionBench extends HotPath {
  @Param({"10", "800"})
  public int lines;

  private final BucketCost cost = new BucketCost(new BigDecimal("0.213333333333333333"), new BigDecimal("0.021333333"),
      new BigDecimal("0.041666667"));
  private List<BucketLine> bucket;
  private List<BigDecimal> extras;

  @Setup
  public void setUp() {
    bucket = new ArrayList<>();
    extras = new ArrayList<>();
    for (int i = 0; i < lines; i++) {
      long in = 200 + 37L * i;
      long cached = in / 5;
      long out = 50 + 13L * i;
      BigDecimal w = Weights.DEFAULT.of(in, cached, out);
      bucket.add(new BucketLine("tenant-" + i, "m", "r", 1, in, cached, out, 0, w, BigDecimal.ONE));
      extras.add(Weights.DEFAULT.cacheExtra(cached));
    }
  }

  @Benchmark
  public List<LineShare> exactSplit() {
    return Attribution.split(cost, bucket, extras, "r");
  }

  @Benchmark
  public List<BigDecimal> plainProportional() {
    BigDecimal total = cost.totalUsd();
    BigDecimal sum = BigDecimal.ZERO;
    for (BucketLine l : bucket) {
      sum = sum.add(l.weight());
    }
    List<BigDecimal> shares = new ArrayList<>(bucket.size());
    for (BucketLine l : bucket) {
      shares.add(total.multiply(l.weight()).divide(sum, MathContext.DECIMAL128).setScale(9, RoundingMode.HALF_EVEN));
    }
    return shares;
  }
}

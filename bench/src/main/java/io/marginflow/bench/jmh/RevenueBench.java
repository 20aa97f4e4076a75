package io.marginflow.bench.jmh;

import io.marginflow.topology.domain.Prices;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.OutputTimeUnit;

/** SPEC 4 revenue of one request: the exact shift by 10^-6, against the general division by 1e6. */
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class RevenueBench extends HotPath {
  private static final BigDecimal MILLION = BigDecimal.valueOf(1_000_000);
  private final Prices prices = new Prices(new BigDecimal("3.00"), new BigDecimal("0.30"), new BigDecimal("15.00"));
  private long tokens = 1_200;

  @Benchmark
  public BigDecimal exactShift() {
    tokens = tokens % 4_000 + 1;
    return prices.revenue(tokens, tokens / 4, 400);
  }

  @Benchmark
  public BigDecimal generalDivision() {
    tokens = tokens % 4_000 + 1;
    BigDecimal list = BigDecimal.valueOf(tokens - tokens / 4).multiply(prices.inputPerMtok())
        .add(BigDecimal.valueOf(tokens / 4).multiply(prices.cachedInputPerMtok()))
        .add(BigDecimal.valueOf(400).multiply(prices.outputPerMtok()));
    return list.divide(MILLION, MathContext.DECIMAL128);
  }
}

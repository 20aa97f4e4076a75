package io.marginflow.topology.domain;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Splits an amount, already rounded to nano-dollars, in proportion to weights so that the parts are nano-dollar
 * multiples summing exactly to it (largest-remainder method; ties go to the earlier part, so the result is
 * deterministic for a given order of parts).
 */
public final class ShareAllocator {
  private static final int SCALE = 9;

  private ShareAllocator() {
  }

  /** Parts of {@code amount} (scale 9) proportional to {@code weights} (sum > 0). */
  public static List<BigDecimal> allocate(BigDecimal amount, List<BigDecimal> weights) {
    BigInteger nanos = amount.setScale(SCALE, RoundingMode.UNNECESSARY).unscaledValue();
    BigDecimal total = weights.stream().reduce(BigDecimal.ZERO, BigDecimal::add);
    if (total.signum() <= 0) {
      throw new IllegalArgumentException("weights must sum to more than 0");
    }
    int n = weights.size();
    BigInteger[] parts = new BigInteger[n];
    BigDecimal[] remainders = new BigDecimal[n];
    BigInteger assigned = BigInteger.ZERO;
    for (int i = 0; i < n; i++) {
      BigDecimal exact = new BigDecimal(nanos).multiply(weights.get(i));
      BigDecimal[] qr = exact.divideAndRemainder(total);
      parts[i] = qr[0].toBigIntegerExact();
      remainders[i] = qr[1];
      assigned = assigned.add(parts[i]);
    }
    int left = nanos.subtract(assigned).intValueExact();
    int direction = Integer.signum(left);
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      order.add(i);
    }
    // Negative amounts leave negative remainders: hand out -1 nanos to the most negative first.
    Comparator<Integer> byRemainder = Comparator.comparing((Integer i) -> remainders[i].abs()).reversed();
    order.sort(byRemainder.thenComparing(i -> i));
    for (int k = 0; k < Math.abs(left); k++) {
      int i = order.get(k % n);
      parts[i] = parts[i].add(BigInteger.valueOf(direction));
    }
    List<BigDecimal> out = new ArrayList<>(n);
    for (BigInteger p : parts) {
      out.add(new BigDecimal(p, SCALE));
    }
    return out;
  }
}

package io.marginflow.topology.domain;

/**
 * What the marginal-cost law takes as normal for a (model, region): moving averages of the region's compute pressure,
 * of the (model, region)'s energy and list revenue per interval, and of the energy price it paid (USD per kWh), last
 * moved at the interval starting {@code atMs}; {@code NaN} where nothing was measured yet. Energy and list revenue are
 * averaged apart, not their ratio: one thin interval (a few requests carrying a whole node's draw) hardly moves the
 * normal energy per list USD. Averages are doubles here; the pricing store keeps the money ones (list revenue, energy
 * price) as decimals to 9 places ({@code MultiplierDecisions.withNormal}), and each interval starts from what it kept.
 */
public record PricingNormal(double pressure, double kwh, double listRevenueUsd, double energyPrice, long atMs) {
  /** The first normal: the first interval's figures. */
  public static PricingNormal first(PricingInterval now) {
    return new PricingNormal(now.pressure(), now.kwh(), now.listRevenueUsd(), value(now), now.startMs());
  }

  /**
   * The next average: each figure moves {@code min(1, elapsed / horizon)} of the way to the interval's (unmeasured
   * ones skipped), where elapsed runs from the interval it was last moved at to this one: an interval a horizon or
   * more after the last one starts afresh.
   */
  public PricingNormal next(long horizonMs, PricingInterval now) {
    double alpha = Math.min(1, (double) Math.max(0, now.startMs() - atMs) / horizonMs);
    return new PricingNormal(toward(pressure, now.pressure(), alpha), toward(kwh, now.kwh(), alpha),
        toward(listRevenueUsd, now.listRevenueUsd(), alpha), toward(energyPrice, value(now), alpha), now.startMs());
  }

  /** Normal energy per list USD (kWh), NaN when unknown. */
  public double kwhPerListUsd() {
    return listRevenueUsd > 0 && kwh >= 0 ? kwh / listRevenueUsd : Double.NaN;
  }

  private static double toward(double average, double measured, double alpha) {
    return Double.isNaN(measured) ? average : Double.isNaN(average) || alpha >= 1 ? measured
        : average + alpha * (measured - average);
  }

  private static double value(PricingInterval now) {
    return now.energyPrice() == null ? Double.NaN : now.energyPrice().doubleValue();
  }
}

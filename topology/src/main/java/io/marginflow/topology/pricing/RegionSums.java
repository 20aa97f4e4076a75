package io.marginflow.topology.pricing;

import io.marginflow.avro.ModelRegionCost;
import io.marginflow.avro.internal.ModelSums;
import io.marginflow.avro.internal.RegionBucket;
import io.marginflow.topology.domain.BucketLine;
import io.marginflow.topology.domain.Weights;
import io.marginflow.topology.domain.LineShare;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Exact sums of a region's finalized node buckets, per model and for the region (SPEC 9): added bucket by bucket in
 * the attribution, interval by interval in the pricing task. Decimals are added unrounded (scale 18 and 9), so the sums
 * do not depend on how buckets are grouped or in which order they arrive.
 */
public final class RegionSums {
  private static final int EXACT = 18;
  private static final int MONEY = 9;
  private static final BigDecimal MILLION = BigDecimal.valueOf(1_000_000);

  private RegionSums() {
  }

  public static RegionBucket empty(String region, long startMs) {
    return RegionBucket.newBuilder().setRegion(region).setStartMs(Instant.ofEpochMilli(startMs)).setModels(new ArrayList<>())
        .setTotalCostUsd(BigDecimal.ZERO.setScale(MONEY)).setIdleCostUsd(BigDecimal.ZERO.setScale(MONEY))
        .setPowerToTdpSum(BigDecimal.ZERO.setScale(EXACT)).setPowerToTdpCount(0).build();
  }

  /** A line's share of a node bucket, for its model (idle shares are counted by {@link #addNodeBucket}). */
  public static void addShare(RegionBucket into, LineShare s) {
    BucketLine l = s.line();
    addModel(into, ModelSums.newBuilder().setModel(l.model()).setRequests(l.requests()).setInputTokens(l.inputTokens())
        .setOutputTokens(l.outputTokens()).setRevenueUsd(l.revenueUsd()).setCostUsd(s.totalCostUsd())
        .setEnergyKwh(s.energyKwh()).setCachedInputTokens(l.cachedInputTokens())
        .setEnergyCostUsd(s.energyCostUsd().setScale(MONEY, RoundingMode.HALF_EVEN)).build());
  }

  private static void addModel(RegionBucket into, ModelSums s) {
    ModelSums m = model(into, s.getModel());
    m.setRequests(Math.addExact(m.getRequests(), s.getRequests()));
    m.setInputTokens(Math.addExact(m.getInputTokens(), s.getInputTokens()));
    m.setOutputTokens(Math.addExact(m.getOutputTokens(), s.getOutputTokens()));
    m.setRevenueUsd(m.getRevenueUsd().add(s.getRevenueUsd()).setScale(EXACT, RoundingMode.HALF_EVEN));
    m.setCostUsd(m.getCostUsd().add(s.getCostUsd()).setScale(MONEY, RoundingMode.HALF_EVEN));
    m.setEnergyKwh(m.getEnergyKwh().add(s.getEnergyKwh()).setScale(EXACT, RoundingMode.HALF_EVEN));
    m.setCachedInputTokens(Math.addExact(m.getCachedInputTokens(), s.getCachedInputTokens()));
    m.setEnergyCostUsd(m.getEnergyCostUsd() == null || s.getEnergyCostUsd() == null ? null
        : m.getEnergyCostUsd().add(s.getEnergyCostUsd()).setScale(MONEY, RoundingMode.HALF_EVEN));
  }

  /**
   * A node bucket of the region: its whole cost, the part that went to __idle__, and its load (mean power over TDP)
   * when it has power samples and a known TDP.
   */
  public static void addNodeBucket(RegionBucket into, BigDecimal totalCostUsd, BigDecimal idleCostUsd, long powerSamples,
      double avgPowerWatts, double tdpWatts) {
    into.setTotalCostUsd(into.getTotalCostUsd().add(totalCostUsd).setScale(MONEY, RoundingMode.HALF_EVEN));
    into.setIdleCostUsd(into.getIdleCostUsd().add(idleCostUsd).setScale(MONEY, RoundingMode.HALF_EVEN));
    if (powerSamples > 0 && tdpWatts > 0) {
      into.setPowerToTdpSum(into.getPowerToTdpSum().add(new BigDecimal(avgPowerWatts / tdpWatts)
          .setScale(EXACT, RoundingMode.HALF_EVEN)));
      into.setPowerToTdpCount(into.getPowerToTdpCount() + 1);
    }
  }

  /** Adds {@code b} (another bucket or partition's sums of the same region) into {@code into}. */
  public static void add(RegionBucket into, RegionBucket b) {
    for (ModelSums s : b.getModels()) {
      addModel(into, s);
    }
    into.setTotalCostUsd(into.getTotalCostUsd().add(b.getTotalCostUsd()).setScale(MONEY, RoundingMode.HALF_EVEN));
    into.setIdleCostUsd(into.getIdleCostUsd().add(b.getIdleCostUsd()).setScale(MONEY, RoundingMode.HALF_EVEN));
    into.setPowerToTdpSum(into.getPowerToTdpSum().add(b.getPowerToTdpSum()));
    into.setPowerToTdpCount(into.getPowerToTdpCount() + b.getPowerToTdpCount());
  }

  /** The region's mean avg power over TDP (0 without power samples). */
  public static double pressure(RegionBucket r) {
    return r.getPowerToTdpCount() == 0 ? 0 : r.getPowerToTdpSum()
        .divide(BigDecimal.valueOf(r.getPowerToTdpCount()), EXACT, RoundingMode.HALF_EVEN).doubleValue();
  }

  /** One unit-cost record per model of the region's interval sums, with the multiplier in force for it (SPEC 9). */
  public static List<ModelRegionCost> unitCosts(RegionBucket interval, long endMs, Weights weights,
      java.util.function.Function<String, BigDecimal> multiplier) {
    double idleShare = interval.getTotalCostUsd().signum() == 0 ? 0
        : interval.getIdleCostUsd().doubleValue() / interval.getTotalCostUsd().doubleValue();
    List<ModelRegionCost> out = new ArrayList<>();
    for (ModelSums m : interval.getModels()) {
      long total = Math.addExact(m.getInputTokens(), m.getOutputTokens());
      BigDecimal revenue = m.getRevenueUsd().setScale(MONEY, RoundingMode.HALF_EVEN);
      double kwh = m.getEnergyKwh().doubleValue();
      out.add(ModelRegionCost.newBuilder().setModel(m.getModel()).setRegion(interval.getRegion())
          .setIntervalStartMs(interval.getStartMs()).setIntervalEndMs(Instant.ofEpochMilli(endMs))
          .setRequests(m.getRequests()).setOutputTokens(m.getOutputTokens()).setTotalTokens(total).setRevenueUsd(revenue)
          .setCostUsd(m.getCostUsd()).setEnergyKwh(kwh)
          .setCostUsdPer1mOutputTokens(perMillion(m.getCostUsd(), m.getOutputTokens()))
          .setCostUsdPer1mTokens(perMillion(m.getCostUsd(), total))
          .setRevenueUsdPer1mOutputTokens(perMillion(m.getRevenueUsd(), m.getOutputTokens()))
          .setRevenueUsdPer1mTokens(perMillion(m.getRevenueUsd(), total))
          .setKwhPer1mOutputTokens(m.getOutputTokens() == 0 ? null : m.getEnergyKwh().multiply(MILLION)
              .divide(BigDecimal.valueOf(m.getOutputTokens()), EXACT, RoundingMode.HALF_EVEN).doubleValue())
          .setKwhPer1mTokens(total == 0 ? null : m.getEnergyKwh().multiply(MILLION)
              .divide(BigDecimal.valueOf(total), EXACT, RoundingMode.HALF_EVEN).doubleValue())
          .setIdleShare(idleShare).setComputePressure(pressure(interval))
          .setMultiplier(MultiplierDecisions.scaled(multiplier.apply(m.getModel())))
          .setMarginalCostUsdPer1mInputTokens(marginal(m, weights, weights.input()))
          .setMarginalCostUsdPer1mOutputTokens(marginal(m, weights, weights.output())).build());
    }
    return out;
  }

  /** The realized margin ratio of a model's interval, (revenue - cost) / revenue at 9 decimals; null without revenue. */
  public static BigDecimal marginRatio(ModelSums m) {
    return m.getRevenueUsd().signum() == 0 ? null : m.getRevenueUsd().subtract(m.getCostUsd())
        .divide(m.getRevenueUsd(), MONEY, RoundingMode.HALF_EVEN);
  }

  /**
   * The energy part of the model's cost per weighted token (SPEC 3's weights), times {@code weight}, per 1M tokens: what
   * one more token of that kind costs to serve on the region's GPUs at the energy price in force (their fixed cost is
   * owed whether or not it is served). Null without weighted tokens, or when the energy cost is unknown.
   */
  static BigDecimal marginal(ModelSums m, Weights weights, BigDecimal weight) {
    BigDecimal work = weights.of(m.getInputTokens(), m.getCachedInputTokens(), m.getOutputTokens());
    return work.signum() == 0 || m.getEnergyCostUsd() == null ? null : m.getEnergyCostUsd().multiply(weight).multiply(MILLION)
        .divide(work, MONEY, RoundingMode.HALF_EVEN);
  }

  private static BigDecimal perMillion(BigDecimal usd, long tokens) {
    return tokens == 0 ? null : usd.multiply(MILLION).divide(BigDecimal.valueOf(tokens), MONEY, RoundingMode.HALF_EVEN);
  }

  private static ModelSums model(RegionBucket into, String model) {
    List<ModelSums> models = into.getModels();
    for (ModelSums m : models) {
      if (m.getModel().equals(model)) {
        return m;
      }
    }
    ModelSums m = ModelSums.newBuilder().setModel(model).setRequests(0).setInputTokens(0).setOutputTokens(0)
        .setRevenueUsd(BigDecimal.ZERO.setScale(EXACT)).setCostUsd(BigDecimal.ZERO.setScale(MONEY))
        .setEnergyKwh(BigDecimal.ZERO.setScale(EXACT)).setCachedInputTokens(0)
        .setEnergyCostUsd(BigDecimal.ZERO.setScale(MONEY)).build();
    List<ModelSums> sorted = new ArrayList<>(models);
    sorted.add(m);
    sorted.sort(Comparator.comparing(ModelSums::getModel));
    into.setModels(sorted);
    return m;
  }
}

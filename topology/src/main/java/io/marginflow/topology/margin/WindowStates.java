package io.marginflow.topology.margin;

import io.marginflow.avro.TenantMargin;
import io.marginflow.avro.internal.BucketShare;
import io.marginflow.avro.internal.TenantWindowState;
import io.marginflow.topology.config.WindowSpec;
import io.marginflow.topology.domain.MarginFigures;
import java.math.BigDecimal;
import java.time.Instant;

/** Folding bucket shares into a tenant's window and turning the window into the record billing consumes. */
public final class WindowStates {
  private WindowStates() {
  }

  static TenantWindowState empty() {
    return TenantWindowState.newBuilder().setRequests(0).setInputTokens(0).setCachedInputTokens(0).setOutputTokens(0)
        .setUnpricedRequests(0).setEnergyKwh(BigDecimal.ZERO.setScale(18)).setRevenueUsd(BigDecimal.ZERO.setScale(18))
        .setEnergyCostUsd(BigDecimal.ZERO.setScale(9)).setFixedCostUsd(BigDecimal.ZERO.setScale(9))
        .setCacheSavingsUsd(BigDecimal.ZERO.setScale(9)).setClosed(false).setUpdatedThroughMs(Long.MIN_VALUE).build();
  }

  static void add(TenantWindowState s, BucketShare share) {
    s.setRequests(Math.addExact(s.getRequests(), share.getRequests()));
    s.setInputTokens(Math.addExact(s.getInputTokens(), share.getInputTokens()));
    s.setCachedInputTokens(Math.addExact(s.getCachedInputTokens(), share.getCachedInputTokens()));
    s.setOutputTokens(Math.addExact(s.getOutputTokens(), share.getOutputTokens()));
    s.setUnpricedRequests(Math.addExact(s.getUnpricedRequests(), share.getUnpricedRequests()));
    s.setEnergyKwh(s.getEnergyKwh().add(share.getEnergyKwh()));
    s.setRevenueUsd(s.getRevenueUsd().add(share.getRevenueUsd()));
    s.setEnergyCostUsd(s.getEnergyCostUsd().add(share.getEnergyCostUsd()));
    s.setFixedCostUsd(s.getFixedCostUsd().add(share.getFixedCostUsd()));
    s.setCacheSavingsUsd(s.getCacheSavingsUsd().add(share.getCacheSavingsUsd()));
    s.setUpdatedThroughMs(Math.max(s.getUpdatedThroughMs(), share.getBucketStartMs().toEpochMilli()));
  }

  /** The sum of two windows' figures (for windows assembled from panes or partitions). */
  public static TenantWindowState merge(TenantWindowState a, TenantWindowState b) {
    TenantWindowState s = TenantWindowState.newBuilder(a).build();
    s.setRequests(Math.addExact(a.getRequests(), b.getRequests()));
    s.setInputTokens(Math.addExact(a.getInputTokens(), b.getInputTokens()));
    s.setCachedInputTokens(Math.addExact(a.getCachedInputTokens(), b.getCachedInputTokens()));
    s.setOutputTokens(Math.addExact(a.getOutputTokens(), b.getOutputTokens()));
    s.setUnpricedRequests(Math.addExact(a.getUnpricedRequests(), b.getUnpricedRequests()));
    s.setEnergyKwh(a.getEnergyKwh().add(b.getEnergyKwh()));
    s.setRevenueUsd(a.getRevenueUsd().add(b.getRevenueUsd()));
    s.setEnergyCostUsd(a.getEnergyCostUsd().add(b.getEnergyCostUsd()));
    s.setFixedCostUsd(a.getFixedCostUsd().add(b.getFixedCostUsd()));
    s.setCacheSavingsUsd(a.getCacheSavingsUsd().add(b.getCacheSavingsUsd()));
    s.setClosed(a.getClosed() && b.getClosed());
    s.setUpdatedThroughMs(Math.max(a.getUpdatedThroughMs(), b.getUpdatedThroughMs()));
    return s;
  }

  /** The SPEC 5 record of a window (running or final). */
  public static TenantMargin toMargin(String tenant, WindowSpec window, long startMs, TenantWindowState s) {
    MarginFigures f = MarginFigures.of(s.getRevenueUsd(), s.getEnergyCostUsd(), s.getFixedCostUsd());
    return TenantMargin.newBuilder().setTenantId(tenant).setWindow(window.name()).setWindowSizeMs(window.sizeMs())
        .setWindowStartMs(Instant.ofEpochMilli(startMs)).setWindowEndMs(Instant.ofEpochMilli(startMs + window.sizeMs()))
        .setRequests(s.getRequests()).setInputTokens(s.getInputTokens()).setCachedInputTokens(s.getCachedInputTokens())
        .setOutputTokens(s.getOutputTokens()).setEnergyKwh(s.getEnergyKwh().doubleValue()).setRevenueUsd(f.revenueUsd())
        .setEnergyCostUsd(f.energyCostUsd()).setFixedCostUsd(f.fixedCostUsd()).setTotalCostUsd(f.totalCostUsd())
        .setGrossMarginUsd(f.grossMarginUsd()).setMarginRatio(f.marginRatio()).setUnpricedRequests(s.getUnpricedRequests())
        .build();
  }
}

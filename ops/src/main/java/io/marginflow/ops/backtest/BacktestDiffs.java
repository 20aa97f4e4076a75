package io.marginflow.ops.backtest;

import io.marginflow.ops.backtest.PolicyOutcome.Totals;
import java.math.BigDecimal;

/** A policy's figures against its baseline's (the first policy under the same demand), as policies.csv's cells. */
final class BacktestDiffs {
  private BacktestDiffs() {
  }

  /** requests, revenue, cost, margin, margin ratio, idle cost and GPU utilization differences; empty for the baseline. */
  static String policy(PolicyOutcome o, PolicyOutcome baseline) {
    if (o == baseline) {
      return ",,,,,,";
    }
    Totals t = o.total();
    Totals b = baseline.total();
    return String.join(",", Long.toString(t.requests() - b.requests()),
        BacktestReport.plain(t.revenueUsd().subtract(b.revenueUsd())), BacktestReport.plain(t.costUsd().subtract(b.costUsd())),
        BacktestReport.plain(t.marginUsd().subtract(b.marginUsd())), BacktestReport.plain(minus(t.marginRatio(), b.marginRatio())),
        BacktestReport.plain(o.idleCostUsd().subtract(baseline.idleCostUsd())),
        BacktestReport.plain(minus(o.gpuUtilization(), baseline.gpuUtilization())));
  }

  static BigDecimal minus(BigDecimal a, BigDecimal b) {
    return a == null || b == null ? null : a.subtract(b);
  }
}

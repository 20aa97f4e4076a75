package io.marginflow.topology.budget;

import io.marginflow.avro.BudgetAlert;
import io.marginflow.avro.BudgetAlertKind;
import io.marginflow.avro.TenantMargin;
import io.marginflow.topology.config.WindowSpec;
import io.marginflow.topology.domain.Attribution;

/** SPEC 6's NEGATIVE_MARGIN alert: a tenant's tumbling 1h window that closes with a gross margin below zero. */
public final class NegativeMargins {
  private static final long WINDOW_MS = 3_600_000L;

  private NegativeMargins() {
  }

  /** Whether {@code m}, a final figure of window {@code w}, raises the alert (never for the idle line). */
  public static boolean alerts(WindowSpec w, TenantMargin m) {
    return w.sizeMs() == WINDOW_MS && w.advanceMs() == w.sizeMs() && m.getGrossMarginUsd().signum() < 0
        && !Attribution.IDLE.equals(m.getTenantId());
  }

  /** The alert for {@code m}; its id is once per tenant and hour. */
  public static BudgetAlert alert(TenantMargin m) {
    long start = m.getWindowStartMs().toEpochMilli();
    return BudgetAlert.newBuilder()
        .setAlertId(BudgetRules.alertId(m.getTenantId(), m.getWindow(), start, BudgetAlertKind.NEGATIVE_MARGIN.name()))
        .setKind(BudgetAlertKind.NEGATIVE_MARGIN).setTenantId(m.getTenantId()).setMetric(null)
        .setPeriodStartMs(m.getWindowStartMs()).setPeriodEndMs(m.getWindowEndMs()).setAmountUsd(m.getGrossMarginUsd())
        .setObservedAtMs(m.getWindowEndMs())
        .setMessage(String.format("%s lost %s USD in the hour from %s: revenue %s USD, cost %s USD", m.getTenantId(),
            m.getGrossMarginUsd().negate().toPlainString(), m.getWindowStartMs(), m.getRevenueUsd().toPlainString(),
            m.getTotalCostUsd().toPlainString()))
        .build();
  }
}

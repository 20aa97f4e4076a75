package io.marginflow.topology;

import static io.marginflow.topology.TopologyFixture.H;
import static io.marginflow.topology.TopologyFixture.HOUR;
import static io.marginflow.topology.TopologyFixture.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.marginflow.avro.BudgetAlert;
import io.marginflow.avro.BudgetAlertKind;
import io.marginflow.avro.TenantMargin;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** NEGATIVE_MARGIN (SPEC 6): once per tenant and closed 1h window with gross_margin_usd < 0, never for __idle__. */
class NegativeMarginTopologyTest {

  @Test
  void shouldAlertTheTenantsThatLostMoneyInAnHourOnly() {
    try (TopologyFixture f = new TopologyFixture()) {
      f.node("n1", "eu-west", "250000", 4, 1.2, "2.50");
      f.price("cheap", "0.000001", "0.000001", "0.000001");
      f.price("dear", "100", "100", "100");
      f.send(request("a1", H + 1_000, "A", "cheap", "n1", 1000, 0, 100)); // earns nothing to speak of
      f.send(request("b1", H + 2_000, "B", "dear", "n1", 1000, 0, 100)); // earns 0.11 USD
      f.watts("n1", "0", H, 15_000, 500);
      f.watts("n1", "0", H + 10 * 60_000, 15_000, 500); // a bucket without requests: __idle__ carries its cost
      f.closeEverythingAfter(H + 10 * 60_000);
      List<TenantMargin> hours = f.margins("1h");
      TenantMargin a = hours.stream().filter(m -> m.getTenantId().equals("A")).findFirst().orElseThrow();
      TenantMargin b = hours.stream().filter(m -> m.getTenantId().equals("B")).findFirst().orElseThrow();
      TenantMargin idle = hours.stream().filter(m -> m.getTenantId().equals("__idle__")).findFirst().orElseThrow();
      // A's revenue is 1,100 tokens at 0.000001 USD per 1M: 0.0000000011 USD (0.000000001 at 9 decimals); its share of
      // the bucket's fixed cost (2.50 USD/h overhead and the GPUs' amortization, a minute's worth) is far above it.
      assertEquals(new java.math.BigDecimal("0.000000001"), a.getRevenueUsd());
      assertTrue(a.getGrossMarginUsd().signum() < 0 && b.getGrossMarginUsd().signum() > 0
          && idle.getGrossMarginUsd().signum() < 0, hours.toString());

      List<BudgetAlert> alerts = f.budgetAlerts.readValuesToList();
      assertEquals(1, alerts.size(), alerts.toString());
      BudgetAlert alert = alerts.get(0);
      assertEquals(BudgetAlertKind.NEGATIVE_MARGIN, alert.getKind());
      assertEquals("A", alert.getTenantId());
      assertEquals(a.getGrossMarginUsd(), alert.getAmountUsd());
      assertEquals(Instant.ofEpochMilli(H), alert.getPeriodStartMs());
      assertEquals(Instant.ofEpochMilli(H + HOUR), alert.getPeriodEndMs());
      assertEquals(Instant.ofEpochMilli(H + HOUR), alert.getObservedAtMs());
      assertNull(alert.getMetric());
      assertNull(alert.getLimitUsd());
    }
  }
}

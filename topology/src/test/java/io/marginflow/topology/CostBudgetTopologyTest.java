package io.marginflow.topology;

import static io.marginflow.topology.TopologyFixture.H;
import static io.marginflow.topology.TopologyFixture.request;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.marginflow.avro.AlertMetric;
import io.marginflow.avro.BudgetAlert;
import io.marginflow.avro.BudgetAlertKind;
import io.marginflow.avro.BudgetMetric;
import io.marginflow.avro.BudgetPeriod;
import io.marginflow.avro.BudgetState;
import io.marginflow.avro.BudgetStatus;
import io.marginflow.avro.BudgetStatusMetric;
import java.math.BigDecimal;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * COST budgets (SPEC 6), checked as buckets finalize. By hand (as in ZombieNodeTopologyTest): every bucket of node n1
 * costs C = 0.161496996 USD, and tenant A is its only client in the first three minutes of H, so A's cost is C, 2C =
 * 0.322993992 and 3C = 0.484490988 after each. Against a daily limit of 0.40 USD: 0.5 (0.20) and 0.8 (0.32) are
 * crossed by the second bucket, 1.0 by the third; the projection at the second bucket's end (10 h 2 min into the day)
 * is 0.322993992 x 86,400,000 / 36,120,000 = 0.772610213 > 0.40, at the first 0.161496996 x 24 / 10.0167 h = 0.387 not.
 */
class CostBudgetTopologyTest {

  @Test
  void shouldCheckCostAsBucketsFinalizeOneBucketAtATime() {
    try (TopologyFixture f = threeBucketsOfA()) {
      f.closeEverythingAfter(H + 3 * 60_000L);
      List<BudgetAlert> alerts = f.budgetAlerts.readValuesToList().stream()
          .filter(a -> a.getKind() != BudgetAlertKind.NEGATIVE_MARGIN).toList();
      assertEquals(List.of(BudgetAlertKind.THRESHOLD, BudgetAlertKind.THRESHOLD, BudgetAlertKind.FORECAST,
          BudgetAlertKind.THRESHOLD), alerts.stream().map(BudgetAlert::getKind).toList(), alerts.toString());
      assertEquals(List.of(new BigDecimal("0.322993992"), new BigDecimal("0.322993992"), new BigDecimal("0.322993992"),
          new BigDecimal("0.484490988")), alerts.stream().map(BudgetAlert::getAmountUsd).toList());
      assertEquals(List.of(H + 2 * 60_000L, H + 2 * 60_000L, H + 2 * 60_000L, H + 3 * 60_000L),
          alerts.stream().map(a -> a.getObservedAtMs().toEpochMilli()).toList(), "each bucket's end");
      assertEquals(new BigDecimal("0.772610213"), alerts.get(2).getProjectedUsd());
      assertEquals(AlertMetric.COST, alerts.get(0).getMetric());
    }
  }

  /**
   * Status as costs finalize: OK at the first bucket (0.16 of 0.40), WARNING at the second (0.32 >= 0.8 x 0.40),
   * EXCEEDED at the third (0.48); once costs are final past midnight UTC, the next day's status (OK, nothing counted,
   * 0.40 remaining) without a request of A's in it: the roll-over that lets a gateway send A's traffic again.
   */
  @Test
  void shouldPublishTheCostStatusAsItChangesAndAtTheDaysRollOver() {
    try (TopologyFixture f = threeBucketsOfA()) {
      f.closeEverythingAfter(H + 3 * 60_000L);
      List<BudgetStatus> status = f.budgetStatus.readValuesToList();
      assertEquals(List.of(BudgetState.OK, BudgetState.WARNING, BudgetState.EXCEEDED, BudgetState.OK),
          status.stream().map(BudgetStatus::getState).toList(), status.toString());
      assertEquals(List.of(new BigDecimal("0.161496996"), new BigDecimal("0.322993992"), new BigDecimal("0.484490988"),
          new BigDecimal("0.000000000")), status.stream().map(BudgetStatus::getAmountUsd).toList());
      long day = H - H % 86_400_000L;
      assertEquals(List.of(day, day, day, day + 86_400_000L),
          status.stream().map(x -> x.getPeriodStartMs().toEpochMilli()).toList());
      assertEquals(new BigDecimal("0.400000000"), status.get(3).getRemainingUsd());
      assertEquals(BudgetStatusMetric.COST, status.get(3).getMetric());
    }
  }

  /** Node n1, tenant A its only client for the first three minutes of H, a DAILY COST budget of 0.40 USD. */
  private static TopologyFixture threeBucketsOfA() {
    TopologyFixture f = new TopologyFixture();
    f.node("n1", "eu-west", "250000", 4, 1.2, "2.50");
    f.price("m", "2", "1", "10");
    f.budget("A", BudgetPeriod.DAILY, BudgetMetric.COST, "0.40", 0.5, 0.8, 1.0);
    for (int minute = 0; minute < 3; minute++) {
      long bucket = H + minute * 60_000L;
      for (int s = 0; s < 4; s++) {
        f.watts("n1", "0", bucket + s * 15_000L, 15_000, 500);
      }
      f.send(request("a" + minute, bucket + 1_000, "A", "m", "n1", 1000, 0, 100));
    }
    return f;
  }
}

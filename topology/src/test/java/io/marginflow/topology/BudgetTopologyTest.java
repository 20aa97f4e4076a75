package io.marginflow.topology;

import static io.marginflow.topology.TopologyFixture.H;
import static io.marginflow.topology.TopologyFixture.HOUR;
import static io.marginflow.topology.TopologyFixture.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.marginflow.avro.BudgetAlert;
import io.marginflow.avro.BudgetAlertKind;
import io.marginflow.avro.BudgetMetric;
import io.marginflow.avro.BudgetPeriod;
import io.marginflow.avro.BudgetState;
import io.marginflow.avro.BudgetStatus;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * SPEND budgets checked at ingest (SPEC 6), on the real topology. Every figure by hand: model m costs 2 USD per 1M
 * input and 10 USD per 1M output tokens, so a request of 100,000 input and 10,000 output tokens earns 0.20 + 0.10 =
 * 0.30 USD. The day of H (2026-01-05T10:00Z) starts at D = 2026-01-05T00:00Z; H is 10 h (41.7 %) into it.
 */
class BudgetTopologyTest {
  private static final long D = 1_767_571_200_000L;
  private static final long MINUTE = 60_000L;

  private static TopologyFixture dailyBudgetOfOneDollar() {
    TopologyFixture f = new TopologyFixture();
    f.price("m", "2", "1", "10");
    f.budget("A", BudgetPeriod.DAILY, BudgetMetric.SPEND, "1.00", 0.5, 0.8, 1.0);
    return f;
  }

  private static void spend(TopologyFixture f, int requests) {
    for (int i = 0; i < requests; i++) {
      f.send(request("e" + i, H + i * MINUTE, "A", "m", "n1", 100_000, 0, 10_000));
    }
  }

  @Test
  void shouldAlertOnEachThresholdOnceAndForecastTheBreach() {
    try (TopologyFixture f = dailyBudgetOfOneDollar()) {
      spend(f, 4); // 0.30, 0.60, 0.90, 1.20 USD
      List<BudgetAlert> alerts = f.budgetAlerts.readValuesToList();
      assertEquals(4, alerts.size(), alerts.toString());

      BudgetAlert forecast = alerts.stream().filter(a -> a.getKind() == BudgetAlertKind.FORECAST).findFirst().orElseThrow();
      // At the second request (H + 1 min, 0.60 USD): 0.60 x 86,400,000 / 36,060,000 ms = 1.437603993 > 1.00; the limit
      // is reached 36,060,000 / 0.60 = 60,100,000 ms after D, at 16:41:40Z.
      assertEquals(new BigDecimal("0.600000000"), forecast.getAmountUsd());
      assertEquals(new BigDecimal("1.437603993"), forecast.getProjectedUsd());
      assertEquals(Instant.ofEpochMilli(D + 60_100_000L), forecast.getBreachAtMs());
      assertEquals(Instant.ofEpochMilli(H + MINUTE), forecast.getObservedAtMs());

      List<BudgetAlert> thresholds = alerts.stream().filter(a -> a.getKind() == BudgetAlertKind.THRESHOLD).toList();
      assertEquals(List.of(0.5, 0.8, 1.0), thresholds.stream().map(BudgetAlert::getThreshold).toList());
      assertEquals(List.of(new BigDecimal("0.600000000"), new BigDecimal("0.900000000"), new BigDecimal("1.200000000")),
          thresholds.stream().map(BudgetAlert::getAmountUsd).toList());
      assertEquals(List.of(H + MINUTE, H + 2 * MINUTE, H + 3 * MINUTE),
          thresholds.stream().map(a -> a.getObservedAtMs().toEpochMilli()).toList());
      // 0.90 x 86,400,000 / 36,120,000 = 2.152823920 at the third request.
      assertEquals(new BigDecimal("2.152823920"), thresholds.get(1).getProjectedUsd());
      for (BudgetAlert a : alerts) {
        assertEquals("A", a.getTenantId());
        assertEquals(Instant.ofEpochMilli(D), a.getPeriodStartMs());
        assertEquals(Instant.ofEpochMilli(D + 24 * HOUR), a.getPeriodEndMs());
        assertEquals(new BigDecimal("1.000000000"), a.getLimitUsd());
      }
      assertEquals(4, alerts.stream().map(BudgetAlert::getAlertId).distinct().count(), "ids are distinct");

      spend(f, 4); // the same event ids again: duplicates, and nothing crosses again
      assertEquals(List.of(), f.budgetAlerts.readValuesToList());
    }
  }

  @Test
  void shouldGiveTheSameAlertIdsForTheSameInputs() {
    Set<String> first;
    try (TopologyFixture f = dailyBudgetOfOneDollar()) {
      spend(f, 4);
      first = f.budgetAlerts.readValuesToList().stream().map(BudgetAlert::getAlertId).collect(Collectors.toSet());
    }
    try (TopologyFixture f = dailyBudgetOfOneDollar()) {
      spend(f, 4);
      assertEquals(first, f.budgetAlerts.readValuesToList().stream().map(BudgetAlert::getAlertId).collect(Collectors.toSet()));
    }
  }

  @Test
  void shouldPublishTheStatusOnlyWhenItChangesAndAtRollOver() {
    try (TopologyFixture f = dailyBudgetOfOneDollar()) {
      spend(f, 4);
      List<BudgetStatus> status = f.budgetStatus.readValuesToList();
      assertEquals(List.of(BudgetState.OK, BudgetState.WARNING, BudgetState.EXCEEDED),
          status.stream().map(BudgetStatus::getState).toList());
      assertEquals(List.of(new BigDecimal("0.300000000"), new BigDecimal("0.900000000"), new BigDecimal("1.200000000")),
          status.stream().map(BudgetStatus::getAmountUsd).toList());
      assertEquals(List.of(new BigDecimal("0.700000000"), new BigDecimal("0.100000000"), new BigDecimal("0.000000000")),
          status.stream().map(BudgetStatus::getRemainingUsd).toList());

      f.tick(D + 24 * HOUR + MINUTE); // the next day begins without a request of A's
      BudgetStatus next = f.budgetStatus.readValuesToList().get(0);
      assertEquals(BudgetState.OK, next.getState(), "a new period lets the tenant through again");
      assertEquals(Instant.ofEpochMilli(D + 24 * HOUR), next.getPeriodStartMs());
      assertEquals(0, next.getAmountUsd().signum());
      assertEquals(new BigDecimal("1.000000000"), next.getRemainingUsd());
    }
  }

  @Test
  void shouldReArmTheThresholdsWhenTheLimitChanges() {
    try (TopologyFixture f = dailyBudgetOfOneDollar()) {
      spend(f, 4);
      f.budgetAlerts.readValuesToList();
      f.budgetStatus.readValuesToList();
      f.budget("A", BudgetPeriod.DAILY, BudgetMetric.SPEND, "2.00", 0.5, 0.8, 1.0);
      f.send(request("e9", H + 10 * MINUTE, "A", "m", "n1", 100_000, 0, 10_000)); // 1.50 USD of 2.00
      List<BudgetAlert> alerts = f.budgetAlerts.readValuesToList();
      // 0.5 x 2.00 is crossed, and the projection 1.50 x 86,400,000 / 36,600,000 ms = 3.540983607 is above the new limit:
      // both are once per limit, so both are armed again.
      assertEquals(List.of(BudgetAlertKind.THRESHOLD, BudgetAlertKind.FORECAST),
          alerts.stream().map(BudgetAlert::getKind).toList(), alerts.toString());
      assertEquals(new BigDecimal("3.540983607"), alerts.get(1).getProjectedUsd());
      assertEquals(0.5, alerts.get(0).getThreshold());
      BudgetStatus status = f.budgetStatus.readValuesToList().get(0);
      assertEquals(BudgetState.OK, status.getState());
      assertEquals(new BigDecimal("2.000000000"), status.getLimitUsd());
    }
  }

  @Test
  void shouldNotAlertATenantWithoutABudgetNorCountAnotherMetric() {
    try (TopologyFixture f = new TopologyFixture()) {
      f.price("m", "2", "1", "10");
      f.budget("A", BudgetPeriod.DAILY, BudgetMetric.COST, "0.10", 0.5, 1.0);
      spend(f, 4);
      f.send(request("b1", H, "B", "m", "n1", 100_000, 0, 10_000));
      assertEquals(List.of(), f.budgetAlerts.readValuesToList(), "COST is checked when buckets finalize, not at ingest");
      assertEquals(List.of(), f.budgetStatus.readValuesToList());
    }
  }

  @Test
  void shouldCountTheWholeMonthForAMonthlyBudget() {
    try (TopologyFixture f = new TopologyFixture()) {
      f.price("m", "2", "1", "10");
      f.budget("A", BudgetPeriod.MONTHLY, BudgetMetric.SPEND, "100.00", 0.5, 1.0);
      spend(f, 2);
      List<BudgetStatus> status = f.budgetStatus.readValuesToList();
      assertEquals(1, status.size());
      assertEquals(Instant.ofEpochMilli(1_767_225_600_000L), status.get(0).getPeriodStartMs(), "2026-01-01T00:00Z");
      assertEquals(Instant.ofEpochMilli(1_769_904_000_000L), status.get(0).getPeriodEndMs(), "2026-02-01T00:00Z");
      assertEquals(new BigDecimal("0.300000000"), status.get(0).getAmountUsd());
      assertNull(f.budgetAlerts.readValuesToList().stream().findFirst().orElse(null),
          "0.60 of 100 crosses nothing; 4 days in, 0.60 x 31 / 4.42 days = 4.21 is no breach");
    }
  }

  /**
   * Midnight UTC inside one attribution bucket's neighbourhood: the request at 23:59:59.999 counts in its day, the one
   * at 00:00:00.000 in the next, whatever bucket or batch they share. Day 1: 3 x 0.30 = 0.90 (WARNING: 0.8 crossed);
   * day 2 opens at 0.30 (OK, one status) and crosses nothing; day 1 never reaches 1.20.
   */
  @Test
  void shouldPutEachRequestInTheDayOfItsTimestampAtMidnight() {
    try (TopologyFixture f = dailyBudgetOfOneDollar()) {
      long midnight = D + 24 * HOUR;
      f.send(request("x1", midnight - 3 * MINUTE, "A", "m", "n1", 100_000, 0, 10_000));
      f.send(request("x2", midnight - 2 * MINUTE, "A", "m", "n1", 100_000, 0, 10_000));
      f.send(request("x3", midnight - 1, "A", "m", "n1", 100_000, 0, 10_000));
      f.send(request("x4", midnight, "A", "m", "n1", 100_000, 0, 10_000));
      List<BudgetStatus> status = f.budgetStatus.readValuesToList();
      assertEquals(List.of(BudgetState.OK, BudgetState.WARNING, BudgetState.OK),
          status.stream().map(BudgetStatus::getState).toList(), status.toString());
      assertEquals(List.of(new BigDecimal("0.300000000"), new BigDecimal("0.900000000"), new BigDecimal("0.300000000")),
          status.stream().map(BudgetStatus::getAmountUsd).toList());
      assertEquals(List.of(D, D, midnight), status.stream().map(x -> x.getPeriodStartMs().toEpochMilli()).toList());
      List<BudgetAlert> alerts = f.budgetAlerts.readValuesToList();
      assertEquals(List.of(0.5, 0.8), alerts.stream().filter(a -> a.getKind() == BudgetAlertKind.THRESHOLD)
          .map(BudgetAlert::getThreshold).toList(), "day 1 crosses 0.5 and 0.8, never 1.0; day 2 nothing");
      assertEquals(Set.of(D), alerts.stream().map(a -> a.getPeriodStartMs().toEpochMilli()).collect(Collectors.toSet()));
    }
  }
}

package io.marginflow.topology.budget;

import io.marginflow.avro.AlertMetric;
import io.marginflow.avro.Budget;
import io.marginflow.avro.BudgetAlert;
import io.marginflow.avro.BudgetAlertKind;
import io.marginflow.avro.BudgetMetric;
import io.marginflow.avro.BudgetState;
import io.marginflow.avro.BudgetStatus;
import io.marginflow.avro.BudgetStatusMetric;
import io.marginflow.avro.BudgetStatusPeriod;
import io.marginflow.avro.internal.BudgetPeriodState;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Budget alerts and status of one tenant's period (SPEC 6), as a pure function of the period's state, the budget
 * known now and what was added: THRESHOLD once per (tenant, period, threshold, limit), FORECAST once per (tenant,
 * period, limit) after 10 % of the period, and a {@code budgets.status.v1} record when the state (or the limit) changes
 * or the period's first record is seen. What was emitted is kept in the state, which the caller stores with the
 * alerts in the same transaction; so each is emitted once, also after a restart, and a changed limit re-arms.
 */
public final class BudgetRules {
  /** Scale of the exact period-to-date amount in the state. */
  public static final int EXACT_SCALE = 18;
  private static final int SCALE = 9;

  /** Alerts and the status record (null when unchanged) that adding to a period produced. */
  public record Outcome(List<BudgetAlert> alerts, BudgetStatus status) {
    public static final Outcome NONE = new Outcome(List.of(), null);
  }

  private BudgetRules() {
  }

  /** Store key of a tenant's period: period and start first, so that the tenant id (any characters) is the rest. */
  public static String periodKey(BudgetPosition.Period period, long periodStartMs, String tenant) {
    return period.name() + "|" + periodStartMs + "|" + tenant;
  }

  /** A new period's state for {@code tenant}: nothing counted, nothing emitted. */
  public static BudgetPeriodState open(String tenant, BudgetPosition.Period period, long atMs) {
    long[] b = BudgetPosition.bounds(period, atMs);
    return BudgetPeriodState.newBuilder().setTenantId(tenant).setPeriod(period.name()).setPeriodStartMs(b[0])
        .setPeriodEndMs(b[1]).setAmountUsd(BigDecimal.ZERO.setScale(EXACT_SCALE)).setAsOfMs(b[0])
        .setEmitted(new ArrayList<>()).setStatus(null).build();
  }

  /**
   * Adds {@code amountUsd} observed at event time {@code atMs} to {@code state} (mutated) and evaluates {@code budget}
   * (null: the tenant has none) for {@code metric}: a budget of another metric or period kind is not this state's.
   */
  public static Outcome add(BudgetPeriodState state, BigDecimal amountUsd, long atMs, Budget budget, BudgetMetric metric) {
    state.setAmountUsd(state.getAmountUsd().add(amountUsd).setScale(EXACT_SCALE, RoundingMode.HALF_EVEN));
    state.setAsOfMs(Math.max(state.getAsOfMs(), atMs));
    return evaluate(state, atMs, budget, metric);
  }

  /** A period's next one, opened at its roll-over because the tenant has a budget there: its key, state and status. */
  public record Rolled(String key, BudgetPeriodState state, Outcome outcome) {
  }

  private static final String ROLLED = "ROLLED";

  /** Whether {@code s}'s roll-over was done (its end passed, the next period's status published). */
  public static boolean rolled(BudgetPeriodState s) {
    return s.getEmitted().contains(ROLLED);
  }

  /**
   * The roll-over of {@code ended} (mutated: marked rolled), its period being over: the next period of the same kind,
   * opened with nothing counted and evaluated under {@code budget} at its start, when that gives a status to publish
   * (an EXCEEDED tenant is let through again); null when the tenant has no such budget (nothing to carry over).
   */
  public static Rolled rollOver(BudgetPeriodState ended, Budget budget, BudgetMetric metric) {
    List<String> emitted = new ArrayList<>(ended.getEmitted());
    emitted.add(ROLLED);
    ended.setEmitted(emitted);
    BudgetPosition.Period period = BudgetPosition.Period.valueOf(ended.getPeriod());
    BudgetPeriodState fresh = open(ended.getTenantId(), period, ended.getPeriodEndMs());
    Outcome outcome = evaluate(fresh, ended.getPeriodEndMs(), budget, metric);
    return outcome.status() == null ? null
        : new Rolled(periodKey(period, ended.getPeriodEndMs(), ended.getTenantId()), fresh, outcome);
  }

  /** What {@code state} owes under {@code budget} without adding anything (a period rolled over, a budget changed). */
  public static Outcome evaluate(BudgetPeriodState state, long atMs, Budget budget, BudgetMetric metric) {
    if (budget == null || budget.getMetric() != metric || !budget.getPeriod().name().equals(state.getPeriod())) {
      return Outcome.NONE;
    }
    BigDecimal amount = state.getAmountUsd();
    BigDecimal limit = budget.getLimitUsd().setScale(SCALE, RoundingMode.HALF_EVEN);
    BudgetPosition.Period period = BudgetPosition.Period.valueOf(state.getPeriod());
    BudgetPosition position = BudgetPosition.of(period, amount, limit, budget.getThresholds(),
        Math.min(state.getAsOfMs(), state.getPeriodEndMs() - 1));
    List<BudgetAlert> alerts = new ArrayList<>();
    List<String> emitted = new ArrayList<>(state.getEmitted());
    for (double t : budget.getThresholds().stream().sorted().toList()) {
      String key = thresholdKey(metric, t, limit);
      if (amount.compareTo(limit.multiply(BigDecimal.valueOf(t))) >= 0 && !emitted.contains(key)) {
        emitted.add(key);
        alerts.add(alert(state, BudgetAlertKind.THRESHOLD, metric, key, position, limit, t, null, atMs,
            String.format("%s reached %s %% of its %s %s budget: %s of %s USD (period from %s)", state.getTenantId(),
                BigDecimal.valueOf(t * 100).stripTrailingZeros().toPlainString(), state.getPeriod(), metric,
                position.amountUsd().toPlainString(), limit.toPlainString(), day(state.getPeriodStartMs()))));
      }
    }
    if (position.projectedUsd() != null && position.projectedUsd().compareTo(limit) > 0) {
      String key = forecastKey(metric, limit);
      if (!emitted.contains(key)) {
        emitted.add(key);
        alerts.add(alert(state, BudgetAlertKind.FORECAST, metric, key, position, limit, null, position.breachAtMs(),
            state.getAsOfMs(), String.format("%s is on course for %s USD against its %s %s budget of %s USD; "
                + "at this rate it reaches the limit at %s", state.getTenantId(), position.projectedUsd().toPlainString(),
                state.getPeriod(), metric, limit.toPlainString(), Instant.ofEpochMilli(position.breachAtMs()))));
      }
    }
    state.setEmitted(new ArrayList<>(emitted));
    BudgetState now = state(amount, limit, budget.getThresholds());
    String statusKey = metric + "|" + limit.toPlainString() + "|" + now;
    BudgetStatus status = null;
    if (state.getStatus() == null || !statusKey.equals(state.getStatus())) {
      state.setStatus(statusKey);
      BigDecimal shown = position.amountUsd();
      status = BudgetStatus.newBuilder().setTenantId(state.getTenantId())
          .setPeriod(BudgetStatusPeriod.valueOf(state.getPeriod())).setMetric(BudgetStatusMetric.valueOf(metric.name()))
          .setPeriodStartMs(Instant.ofEpochMilli(state.getPeriodStartMs()))
          .setPeriodEndMs(Instant.ofEpochMilli(state.getPeriodEndMs())).setAmountUsd(shown).setLimitUsd(limit)
          .setRemainingUsd(limit.subtract(shown).max(BigDecimal.ZERO).setScale(SCALE, RoundingMode.HALF_EVEN))
          .setState(now).setAsOfMs(Instant.ofEpochMilli(state.getAsOfMs())).build();
    }
    return alerts.isEmpty() && status == null ? Outcome.NONE : new Outcome(List.copyOf(alerts), status);
  }

  /** What a period's state keeps of a THRESHOLD alert emitted (once per threshold and limit). */
  static String thresholdKey(BudgetMetric metric, double threshold, BigDecimal limit) {
    return "THRESHOLD|" + metric + "|" + threshold + "|" + limit.toPlainString();
  }

  /** What a period's state keeps of a FORECAST alert emitted (once per limit). */
  static String forecastKey(BudgetMetric metric, BigDecimal limit) {
    return "FORECAST|" + metric + "|" + limit.toPlainString();
  }

  /** OK; WARNING once the highest threshold below 1.0 is reached; EXCEEDED at the limit. */
  public static BudgetState state(BigDecimal amount, BigDecimal limit, List<Double> thresholds) {
    if (amount.compareTo(limit) >= 0) {
      return BudgetState.EXCEEDED;
    }
    double warn = thresholds.stream().filter(t -> t < 1.0).mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
    return !Double.isNaN(warn) && amount.compareTo(limit.multiply(BigDecimal.valueOf(warn))) >= 0
        ? BudgetState.WARNING : BudgetState.OK;
  }

  /** The same inputs give the same id: a name-based UUID of what makes the alert once-only. */
  public static String alertId(String tenant, String period, long periodStartMs, String onceKey) {
    return UUID.nameUUIDFromBytes((tenant + "|" + period + "|" + periodStartMs + "|" + onceKey)
        .getBytes(StandardCharsets.UTF_8)).toString();
  }

  private static BudgetAlert alert(BudgetPeriodState s, BudgetAlertKind kind, BudgetMetric metric, String onceKey,
      BudgetPosition position, BigDecimal limit, Double threshold, Long breachAtMs, long observedAtMs, String message) {
    return BudgetAlert.newBuilder().setAlertId(alertId(s.getTenantId(), s.getPeriod(), s.getPeriodStartMs(), onceKey))
        .setKind(kind).setTenantId(s.getTenantId()).setMetric(AlertMetric.valueOf(metric.name()))
        .setPeriodStartMs(Instant.ofEpochMilli(s.getPeriodStartMs())).setPeriodEndMs(Instant.ofEpochMilli(s.getPeriodEndMs()))
        .setAmountUsd(position.amountUsd()).setLimitUsd(limit).setThreshold(threshold)
        .setProjectedUsd(position.projectedUsd()).setBreachAtMs(breachAtMs == null ? null : Instant.ofEpochMilli(breachAtMs))
        .setObservedAtMs(Instant.ofEpochMilli(observedAtMs)).setMessage(message).build();
  }

  private static String day(long ms) {
    return Instant.ofEpochMilli(ms).atZone(ZoneOffset.UTC).toLocalDate().toString();
  }
}

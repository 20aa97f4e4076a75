package io.marginflow.it;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * SPEC 6 computed independently of the pipeline from a scenario's files: the SPEND alerts (THRESHOLD and FORECAST)
 * that the accepted requests (ReferenceMargins.accepted), taken in file order per tenant, must raise under the
 * budgets of budgets.csv. An alert is compared as one line of its SPEC fields.
 */
final class ReferenceAlerts {
  private record Budget(String period, String metric, BigDecimal limit, List<Double> thresholds) {
  }

  private ReferenceAlerts() {
  }

  /**
   * Replaces a scenario's budgets.csv with budgets set from each tenant's own spend or attributed cost (per the
   * reference), at 0.3 to 5 times it, so that some tenants cross every threshold, some a few and some none; every third
   * tenant has a COST budget, every fourth a MONTHLY one.
   */
  static void writeCrossingBudgets(Path scenario) throws IOException {
    Map<String, BigDecimal> spend = new java.util.TreeMap<>();
    for (ReferenceMargins.Request r : ReferenceMargins.accepted(scenario, System.currentTimeMillis())) {
      spend.merge(r.tenant(), r.revenue() == null ? BigDecimal.ZERO : r.revenue(), BigDecimal::add);
    }
    Map<String, BigDecimal> cost = new java.util.TreeMap<>();
    ReferenceMargins.compute(scenario, System.currentTimeMillis()).forEach((key, e) ->
        cost.merge(key.substring(0, key.indexOf('|')), e.totalCost, BigDecimal::add));
    double[] factors = {0.3, 0.6, 0.9, 2.0, 5.0};
    StringBuilder budgets = new StringBuilder("tenant_id,period,metric,limit_usd,thresholds\n");
    int i = 0;
    for (Map.Entry<String, BigDecimal> e : spend.entrySet()) {
      boolean costBudget = i % 3 == 2;
      BigDecimal base = costBudget ? cost.getOrDefault(e.getKey(), BigDecimal.ONE) : e.getValue();
      BigDecimal limit = base.multiply(BigDecimal.valueOf(factors[i % factors.length]))
          .setScale(2, RoundingMode.HALF_EVEN).max(new BigDecimal("0.01"));
      budgets.append(e.getKey()).append(i % 4 == 3 ? ",MONTHLY" : ",DAILY").append(costBudget ? ",COST," : ",SPEND,")
          .append(limit.toPlainString()).append(",0.5;0.8;1.0\n");
      i++;
    }
    java.nio.file.Files.writeString(scenario.resolve("budgets.csv"), budgets.toString());
  }

  /** The budgets of a scenario by tenant. */
  private static Map<String, Budget> budgets(Path dir) throws IOException {
    Map<String, Budget> out = new HashMap<>();
    for (String[] f : ReferenceMargins.rows(dir.resolve("budgets.csv"))) {
      out.put(f[0], new Budget(f[1], f[2], new BigDecimal(f[3]).setScale(9),
          Arrays.stream(f[4].split(";")).map(Double::valueOf).toList()));
    }
    return out;
  }

  /** [start, end) of the UTC day or month holding {@code ts}, with java.time's calendar. */
  private static long[] period(String kind, long ts) {
    LocalDate day = Instant.ofEpochMilli(ts).atZone(ZoneOffset.UTC).toLocalDate();
    LocalDate start = kind.equals("DAILY") ? day : day.withDayOfMonth(1);
    LocalDate end = kind.equals("DAILY") ? start.plusDays(1) : start.plusMonths(1);
    return new long[] {start.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli(),
        end.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli()};
  }

  /** Every SPEND alert the scenario must raise, as {@link #line} renders them. */
  static Set<String> spend(Path dir) throws IOException {
    Map<String, Budget> budgets = budgets(dir);
    Map<String, BigDecimal> amount = new HashMap<>();
    Map<String, Long> asOf = new HashMap<>();
    Set<String> fired = new HashSet<>();
    Set<String> out = new TreeSet<>();
    for (ReferenceMargins.Request r : ReferenceMargins.accepted(dir, System.currentTimeMillis())) {
      Budget b = budgets.get(r.tenant());
      if (b == null || !b.metric().equals("SPEND")) {
        continue;
      }
      long[] p = period(b.period(), r.ts());
      String key = r.tenant() + "|" + p[0];
      BigDecimal total = amount.merge(key, r.revenue() == null ? BigDecimal.ZERO : r.revenue(), BigDecimal::add);
      long latest = asOf.merge(key, r.ts(), Math::max);
      BigDecimal shown = total.setScale(9, RoundingMode.HALF_EVEN);
      long length = p[1] - p[0];
      long elapsed = latest - p[0];
      BigDecimal projected = elapsed > 0 && elapsed * 10 >= length
          ? shown.multiply(BigDecimal.valueOf(length)).divide(BigDecimal.valueOf(elapsed), MathContext.DECIMAL128)
              .setScale(9, RoundingMode.HALF_EVEN)
          : null;
      for (double t : new TreeSet<>(b.thresholds())) {
        if (total.compareTo(b.limit().multiply(BigDecimal.valueOf(t))) >= 0 && fired.add(key + "|T" + t)) {
          out.add(line("THRESHOLD", r.tenant(), p[0], t, shown, b.limit(), projected, null, r.ts()));
        }
      }
      if (projected != null && projected.compareTo(b.limit()) > 0 && fired.add(key + "|F")) {
        // At the period-to-date rate (shown / elapsed per ms) the limit is reached elapsed x limit / shown after start.
        long breach = p[0] + BigDecimal.valueOf(elapsed).multiply(b.limit()).divide(shown, 0, RoundingMode.CEILING).longValue();
        out.add(line("FORECAST", r.tenant(), p[0], null, shown, b.limit(), projected, breach, latest));
      }
    }
    return out;
  }

  /**
   * The NEGATIVE_MARGIN alerts that a replay's 1h margin records (themselves checked against ReferenceMargins) call for:
   * one per tenant-hour with a gross margin below zero, never for __idle__; as (tenant, window start, gross margin).
   */
  static Set<String> negativeMargins(List<JsonNode> margins) {
    return render(margins, m -> m.get("window").asText().equals("1h") && m.get("gross_margin_usd").decimalValue().signum() < 0
        && !m.get("tenant_id").asText().equals("__idle__"), "window_start_ms", "gross_margin_usd");
  }

  /** The NEGATIVE_MARGIN alerts of a replay's alerts.jsonl, as {@link #negativeMargins} renders them. */
  static Set<String> actualNegativeMargins(List<JsonNode> alerts) {
    return render(alerts, a -> a.get("kind").asText().equals("NEGATIVE_MARGIN"), "period_start_ms", "amount_usd");
  }

  /** "tenant start amount" of each selected record, its start and amount read from the fields named. */
  private static Set<String> render(List<JsonNode> records, java.util.function.Predicate<JsonNode> selected, String start,
      String amount) {
    Set<String> out = new TreeSet<>();
    for (JsonNode r : records) {
      if (selected.test(r)) {
        out.add(r.get("tenant_id").asText() + " " + r.get(start).asLong() + " "
            + r.get(amount).decimalValue().setScale(9).toPlainString());
      }
    }
    return out;
  }

  /**
   * ZOMBIE_NODE: the (node, hour) whose reference cost went at least 95 % to __idle__, each with its node cost (the
   * pipeline rounds each bucket's cost to 1e-9 USD before adding: compared to 1e-9 per bucket, 60 an hour).
   */
  static Map<String, BigDecimal> zombies(Path dir) throws IOException {
    Map<String, BigDecimal> out = new java.util.TreeMap<>();
    ReferenceMargins.computeAll(dir, System.currentTimeMillis()).nodeHours().forEach((key, c) -> {
      if (c[0].signum() > 0 && c[1].compareTo(c[0].multiply(new BigDecimal("0.95"))) >= 0) {
        out.put(key, c[0]);
      }
    });
    return out;
  }

  /**
   * Every COST alert the scenario must raise: buckets taken in time order, each tenant's attributed cost in a bucket
   * added to its period when the bucket is final, and evaluated with the bucket's end as the event time. Keyed by
   * "kind tenant period-start threshold observed-at", valued by the amount (exact here; the pipeline adds shares
   * rounded to 1e-9 USD, so amounts are compared within a tolerance).
   */
  static Map<String, BigDecimal> cost(Path dir) throws IOException {
    Map<String, Budget> budgets = budgets(dir);
    Map<String, BigDecimal> amount = new HashMap<>();
    Set<String> fired = new HashSet<>();
    Map<String, BigDecimal> out = new java.util.TreeMap<>();
    var byBucket = ReferenceMargins.computeAll(dir, System.currentTimeMillis()).costByBucket();
    for (Map.Entry<Long, Map<String, BigDecimal>> bucket : byBucket.entrySet()) {
      long end = bucket.getKey() + ReferenceMargins.BUCKET;
      for (Map.Entry<String, BigDecimal> c : bucket.getValue().entrySet()) {
        Budget b = budgets.get(c.getKey());
        if (b == null || !b.metric().equals("COST")) {
          continue;
        }
        long[] p = period(b.period(), bucket.getKey());
        String key = c.getKey() + "|" + p[0];
        BigDecimal total = amount.merge(key, c.getValue(), BigDecimal::add);
        for (double t : new TreeSet<>(b.thresholds())) {
          if (total.compareTo(b.limit().multiply(BigDecimal.valueOf(t))) >= 0 && fired.add(key + "|T" + t)) {
            out.put("THRESHOLD " + c.getKey() + " " + p[0] + " " + t + " " + end, total);
          }
        }
        long elapsed = end - p[0];
        if (elapsed * 10 >= p[1] - p[0] && total.multiply(BigDecimal.valueOf(p[1] - p[0]))
            .divide(BigDecimal.valueOf(elapsed), MathContext.DECIMAL128).compareTo(b.limit()) > 0 && fired.add(key + "|F")) {
          out.put("FORECAST " + c.getKey() + " " + p[0] + " null " + end, total);
        }
      }
    }
    return out;
  }

  /** The COST alerts of a replay's alerts.jsonl, keyed and valued as {@link #cost} does. */
  static Map<String, BigDecimal> actualCost(List<JsonNode> alerts) {
    Map<String, BigDecimal> out = new java.util.TreeMap<>();
    for (JsonNode a : alerts) {
      if (a.has("metric") && "COST".equals(a.get("metric").asText())) {
        out.put(a.get("kind").asText() + " " + a.get("tenant_id").asText() + " " + a.get("period_start_ms").asLong() + " "
            + (a.get("threshold").isNull() ? "null" : a.get("threshold").asDouble()) + " " + a.get("observed_at_ms").asLong(),
            a.get("amount_usd").decimalValue());
      }
    }
    return out;
  }

  /** The SPEND alerts of a replay's alerts.jsonl, rendered as {@link #spend} renders the expected ones. */
  static Set<String> actual(List<JsonNode> alerts) {
    Set<String> out = new TreeSet<>();
    for (JsonNode a : alerts) {
      if (a.has("metric") && "SPEND".equals(a.get("metric").asText())) {
        out.add(line(a.get("kind").asText(), a.get("tenant_id").asText(), a.get("period_start_ms").asLong(),
            a.get("threshold").isNull() ? null : a.get("threshold").asDouble(), a.get("amount_usd").decimalValue(),
            a.get("limit_usd").decimalValue(), a.get("projected_usd").isNull() ? null : a.get("projected_usd").decimalValue(),
            a.get("breach_at_ms").isNull() ? null : a.get("breach_at_ms").asLong(), a.get("observed_at_ms").asLong()));
      }
    }
    return out;
  }

  private static String line(String kind, String tenant, long periodStart, Double threshold, BigDecimal amount,
      BigDecimal limit, BigDecimal projected, Long breachAt, long observedAt) {
    List<String> f = new ArrayList<>(List.of(kind, tenant, Long.toString(periodStart), String.valueOf(threshold),
        amount.setScale(9).toPlainString(), limit.setScale(9).toPlainString(),
        projected == null ? "null" : projected.setScale(9).toPlainString(), String.valueOf(breachAt),
        Long.toString(observedAt)));
    return String.join(" ", f);
  }
}

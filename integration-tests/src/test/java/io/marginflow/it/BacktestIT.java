package io.marginflow.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.marginflow.ops.backtest.Backtest;
import io.marginflow.ops.backtest.BacktestPolicy;
import io.marginflow.ops.backtest.BacktestReport;
import io.marginflow.ops.backtest.PolicyOutcome;
import io.marginflow.ops.replay.JsonLines;
import io.marginflow.ops.scenario.GeneratorOptions;
import io.marginflow.ops.scenario.ScenarioGenerator;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SPEC 9's loop on a scenario where energy prices double halfway: replayed through the real pipeline under two
 * policies with {@code bin/marginflow backtest}'s code, list prices and a loop that never discounts (floor 1.0). The
 * scenario is made energy-dominated (cheap hardware, no overhead, no idle node) and its price book calibrated, by a
 * small calculation here from the files, so that list prices earn about 50 % before the doubling and under the 30 %
 * target after it.
 */
class BacktestIT {
  private static final long HOUR = 3_600_000L;
  private static final String MODEL = "llama-3.1-70b-instruct";
  private static final BigDecimal ENERGY_USD_PER_KWH = new BigDecimal("0.60");
  private static final BigDecimal HARDWARE_USD = new BigDecimal("10000");
  private static final double TARGET = 0.30;
  private static final String TENANTS_HEADER = "policy,elasticity,substitution,tenant_id,requests,revenue_usd,total_cost_usd,"
      + "gross_margin_usd,margin_ratio,revenue_diff_usd,gross_margin_diff_usd,margin_ratio_diff";

  @Test
  void shouldRaiseMultipliersWhenEnergyDoublesAndReportBothPolicies(@TempDir Path dir) throws Exception {
    Path scenario = dir.resolve("scenario");
    long start = GeneratorOptions.DEFAULT_START.toEpochMilli();
    new ScenarioGenerator(new GeneratorOptions(6, 3, 2, 5, GeneratorOptions.DEFAULT_START, 3, null)).write(scenario);
    long doubling = start + HOUR;
    energyDominated(scenario, start, doubling);
    Path listPrice = Files.writeString(dir.resolve("list-price.properties"), "pricing.dynamic.enabled=false\n");
    Path loop = Files.writeString(dir.resolve("never-discount.properties"), "pricing.law=margin-ratio\npricing.floor=1.0\n");
    Path out = dir.resolve("report");

    List<PolicyOutcome> outcomes = Backtest.run(scenario, BacktestPolicy.read(List.of(listPrice, loop)), out, System.err);
    BacktestReport report = new BacktestReport(outcomes);
    report.write(out);

    // Each replay is exact: every tenant-hour matches the reference at the multipliers that policy published.
    List<JsonNode> listAdjustments = JsonLines.read(out.resolve("list-price/price_adjustments.jsonl"));
    List<JsonNode> loopAdjustments = JsonLines.read(out.resolve("never-discount/price_adjustments.jsonl"));
    assertTrue(listAdjustments.isEmpty(), "list prices never adjust: " + listAdjustments);
    for (String policy : List.of("list-price", "never-discount")) {
      ReferenceMargins.assertMatches(scenario, JsonLines.read(out.resolve(policy + "/margins.jsonl")),
          ReferenceMargins.multipliers(JsonLines.read(out.resolve(policy + "/price_adjustments.jsonl"))));
    }

    // The loop: nothing before the doubling (margin above target, no discounts), then rises within its bounds.
    assertFalse(loopAdjustments.isEmpty(), "the doubling must move prices");
    ReplayIT.assertAdjustmentsWithinTheirBounds(loopAdjustments, BigDecimal.ONE);
    Map<String, BigDecimal> finalMultiplier = new TreeMap<>();
    for (JsonNode a : loopAdjustments) {
      assertTrue(a.get("effective_from_ms").asLong() > doubling, "no adjustment before energy doubled: " + a);
      assertTrue(a.get("multiplier").decimalValue().compareTo(a.get("previous_multiplier").decimalValue()) > 0,
          "only rises: " + a);
      finalMultiplier.put(a.get("model").asText() + "|" + a.get("region").asText(), a.get("multiplier").decimalValue());
    }
    assertEquals(2, finalMultiplier.size(), "both regions' prices rose: " + finalMultiplier);

    // Realized margins per (model, region) and interval, from the unit-cost signal of each replay.
    Map<String, TreeMap<Long, Double>> list = intervalMargins(out.resolve("list-price/unit_costs.jsonl"));
    Map<String, TreeMap<Long, Double>> looped = intervalMargins(out.resolve("never-discount/unit_costs.jsonl"));
    for (String pair : finalMultiplier.keySet()) {
      TreeMap<Long, Double> l = list.get(pair);
      TreeMap<Long, Double> m = looped.get(pair);
      System.err.printf("BacktestIT %s final multiplier %s%n  list prices: %s%n  loop:        %s%n", pair,
          finalMultiplier.get(pair), l, m);
      l.headMap(doubling).values().forEach(r -> assertTrue(r > TARGET, pair + ": list prices earn above target before: " + l));
      l.tailMap(doubling).values().forEach(r -> assertTrue(r < TARGET, pair + ": and below it after the doubling: " + l));
      double first = m.ceilingEntry(doubling).getValue();
      double last = m.lastEntry().getValue();
      assertTrue(Math.abs(last - TARGET) < Math.abs(first - TARGET) - 0.05 && last > first,
          pair + ": the realized margin moves toward the target: first after the doubling " + first + ", last " + last
              + " " + m);
      assertTrue(last > l.lastEntry().getValue() + 0.05, pair + ": above what list prices earn at the end: " + l);
    }

    assertReportAddsUpTheReplays(out);
    String html = Files.readString(out.resolve("report.html"));
    assertTrue(html.contains("Chart.js v4") && html.contains("new Chart(") && !html.contains("src=\"http"),
        "self-contained report with Chart.js inlined");
    assertEquals(3, Files.readAllLines(out.resolve("policies.csv")).size(), "a header and a line per policy");
  }

  /** Per tenant, each policy's line of tenants.csv is the sum of that policy's 1h windows; costs do not depend on prices. */
  private static void assertReportAddsUpTheReplays(Path out) throws Exception {
    Map<String, String[]> rows = csv(out.resolve("tenants.csv"));
    for (String policy : List.of("list-price", "never-discount")) {
      Map<String, BigDecimal[]> sums = new TreeMap<>();
      for (JsonNode m : JsonLines.read(out.resolve(policy + "/margins.jsonl"))) {
        if (m.get("window").asText().equals("1h")) {
          BigDecimal[] s = sums.computeIfAbsent(m.get("tenant_id").asText(), t -> new BigDecimal[] {BigDecimal.ZERO,
              BigDecimal.ZERO});
          s[0] = s[0].add(m.get("revenue_usd").decimalValue());
          s[1] = s[1].add(m.get("total_cost_usd").decimalValue());
        }
      }
      sums.forEach((tenant, s) -> {
        String[] row = rows.get(policy + "|" + tenant);
        assertEquals(0, s[0].compareTo(new BigDecimal(row[5])), policy + " " + tenant + " revenue");
        assertEquals(0, s[1].compareTo(new BigDecimal(row[6])), policy + " " + tenant + " cost");
        assertEquals(0, s[0].subtract(s[1]).compareTo(new BigDecimal(row[7])), policy + " " + tenant + " margin");
        if (s[0].signum() != 0) {
          assertEquals(0, s[0].subtract(s[1]).divide(s[0], 9, RoundingMode.HALF_EVEN).compareTo(new BigDecimal(row[8])),
              policy + " " + tenant + " margin ratio");
        }
        String[] baseline = rows.get("list-price|" + tenant);
        assertEquals(0, new BigDecimal(baseline[6]).compareTo(new BigDecimal(row[6])), tenant + ": cost is the same");
        if (policy.equals("never-discount")) {
          assertEquals(0, s[0].subtract(new BigDecimal(baseline[5])).compareTo(new BigDecimal(row[9])), tenant + " diff");
        }
      });
    }
  }

  /**
   * Cheap hardware, no overhead, no idle node, all traffic on one model priced so that list revenue is about twice the
   * cost before {@code doubling}, when every region's energy price goes from 0.60 to 1.20 USD/kWh.
   */
  private static void energyDominated(Path scenario, long start, long doubling) throws Exception {
    List<String> nodes = Files.readAllLines(scenario.resolve("nodes.csv"));
    String idle = nodes.get(nodes.size() - 1).split(",")[0];
    Map<String, String[]> kept = new TreeMap<>();
    List<String> nodeRows = new ArrayList<>(List.of(nodes.get(0)));
    for (String line : nodes.subList(1, nodes.size() - 1)) {
      String[] f = line.split(",");
      f[5] = HARDWARE_USD.toPlainString();
      f[8] = "0";
      kept.put(f[0], f);
      nodeRows.add(String.join(",", f));
    }
    Files.write(scenario.resolve("nodes.csv"), nodeRows);
    BigDecimal cost = BigDecimal.ZERO;
    List<String> power = new ArrayList<>();
    for (String line : Files.readAllLines(scenario.resolve("power.csv"))) {
      String[] f = line.split(",");
      if (f.length > 1 && f[1].equals(idle)) {
        continue;
      }
      power.add(line);
      if (f.length == 5 && kept.containsKey(f[1]) && f[0].matches("\\d+") && Long.parseLong(f[0]) < doubling) {
        double kwh = Double.parseDouble(f[4]) * Long.parseLong(f[3]) / 3.6e9 * Double.parseDouble(kept.get(f[1])[7]);
        cost = cost.add(BigDecimal.valueOf(kwh).multiply(ENERGY_USD_PER_KWH));
      }
    }
    Files.write(scenario.resolve("power.csv"), power);
    for (String[] n : kept.values()) {
      cost = cost.add(HARDWARE_USD.divide(new BigDecimal(n[6]).multiply(BigDecimal.valueOf(8760)), 9, RoundingMode.HALF_EVEN)
          .multiply(BigDecimal.valueOf((doubling - start) / HOUR)));
    }
    BigDecimal listRevenue = oneModel(scenario, doubling);
    BigDecimal k = cost.multiply(BigDecimal.valueOf(2_000_000)).divide(listRevenue, 9, RoundingMode.HALF_EVEN);
    Files.writeString(scenario.resolve("pricebook.csv"), "model,input_usd_per_mtok,cached_input_usd_per_mtok,"
        + "output_usd_per_mtok\n" + MODEL + "," + scaled("1.00", k) + "," + scaled("0.25", k) + "," + scaled("3.00", k) + "\n");
    StringBuilder energy = new StringBuilder("region,effective_from_ms,usd_per_kwh\n");
    kept.values().stream().map(n -> n[1]).distinct().forEach(region -> energy.append(region).append(',').append(start - HOUR)
        .append(',').append(ENERGY_USD_PER_KWH).append('\n').append(region).append(',').append(doubling).append(',')
        .append(ENERGY_USD_PER_KWH.multiply(BigDecimal.valueOf(2))).append('\n'));
    Files.writeString(scenario.resolve("energy_prices.csv"), energy);
  }

  /** Puts every request on {@link #MODEL}; returns the list revenue before {@code doubling} at its public prices. */
  private static BigDecimal oneModel(Path scenario, long doubling) throws Exception {
    BigDecimal listRevenue = BigDecimal.ZERO;
    List<String> usage = new ArrayList<>();
    for (String line : Files.readAllLines(scenario.resolve("usage.csv"))) {
      String[] f = line.split(",", -1);
      if (f.length == 9 && f[1].matches("\\d+") && !f[0].equals("event_id")) {
        f[3] = MODEL;
        if (Long.parseLong(f[1]) < doubling && f[6].matches("\\d+") && f[7].matches("\\d+") && f[8].matches("\\d+")) {
          long in = Long.parseLong(f[6]);
          long cached = Long.parseLong(f[7]);
          listRevenue = listRevenue.add(BigDecimal.valueOf((in - cached) * 1.00 + cached * 0.25 + Long.parseLong(f[8]) * 3.00));
        }
        line = String.join(",", f);
      }
      usage.add(line);
    }
    Files.write(scenario.resolve("usage.csv"), usage);
    return listRevenue;
  }

  private static String scaled(String price, BigDecimal k) {
    return new BigDecimal(price).multiply(k).setScale(6, RoundingMode.HALF_EVEN).toPlainString();
  }

  /** (model|region) to interval start to realized margin ratio, 1 - cost / revenue. */
  private static Map<String, TreeMap<Long, Double>> intervalMargins(Path unitCosts) throws Exception {
    Map<String, TreeMap<Long, Double>> out = new TreeMap<>();
    for (JsonNode u : JsonLines.read(unitCosts)) {
      double revenue = u.get("revenue_usd").asDouble();
      if (revenue > 0) {
        out.computeIfAbsent(u.get("model").asText() + "|" + u.get("region").asText(), k -> new TreeMap<>())
            .put(u.get("interval_start_ms").asLong(), 1 - u.get("cost_usd").asDouble() / revenue);
      }
    }
    return out;
  }

  private static Map<String, String[]> csv(Path file) throws Exception {
    Map<String, String[]> out = new TreeMap<>();
    List<String> lines = Files.readAllLines(file);
    assertEquals(TENANTS_HEADER, lines.get(0), "a renamed column breaks readers");
    for (String line : lines.subList(1, lines.size())) {
      String[] f = line.split(",", -1);
      out.put(f[0] + "|" + f[3], f);
    }
    return out;
  }
}

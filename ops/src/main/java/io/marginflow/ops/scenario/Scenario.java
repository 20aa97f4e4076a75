package io.marginflow.ops.scenario;

import io.marginflow.avro.Budget;
import io.marginflow.avro.BudgetMetric;
import io.marginflow.avro.BudgetPeriod;
import io.marginflow.avro.EnergyPrice;
import io.marginflow.avro.NodeProfile;
import io.marginflow.avro.PowerSample;
import io.marginflow.avro.PriceBookEntry;
import io.marginflow.avro.TokenUsage;
import io.marginflow.schemas.Money;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * A scenario directory (SPEC 7) parsed into records. A line that does not parse is kept as a {@link Row} with an
 * error and no record; a parsed record is not yet validated against SPEC 2 (the pipeline does that).
 */
public record Scenario(List<Row<TokenUsage>> usage, List<Row<PowerSample>> power, List<Row<NodeProfile>> nodes,
    List<Row<PriceBookEntry>> pricebook, List<Row<EnergyPrice>> energyPrices, List<Row<Budget>> budgets) {

  public static final String USAGE = "usage.csv";
  public static final String POWER = "power.csv";
  public static final String NODES = "nodes.csv";
  public static final String PRICEBOOK = "pricebook.csv";
  public static final String ENERGY_PRICES = "energy_prices.csv";
  public static final String BUDGETS = "budgets.csv";

  /** A parsed line: the record, or why it could not be read. */
  public record Row<T>(String file, Csv.Line line, T record, String error) {
    public boolean ok() {
      return record != null;
    }
  }

  public static Scenario read(Path dir) {
    return new Scenario(parse(dir, USAGE, 9, Scenario::usage), parse(dir, POWER, 5, Scenario::power),
        parse(dir, NODES, 9, Scenario::node), parse(dir, PRICEBOOK, 4, Scenario::price),
        parse(dir, ENERGY_PRICES, 3, Scenario::energyPrice), parse(dir, BUDGETS, 4, Scenario::budget));
  }

  private static <T> List<Row<T>> parse(Path dir, String file, int minFields, Function<Csv.Line, T> parser) {
    List<Row<T>> rows = new ArrayList<>();
    for (Csv.Line line : Csv.read(dir.resolve(file))) {
      try {
        if (line.fields().length < minFields) {
          throw new IllegalArgumentException("expected " + minFields + " fields, found " + line.fields().length);
        }
        rows.add(new Row<>(file, line, parser.apply(line), null));
      } catch (RuntimeException e) {
        rows.add(new Row<>(file, line, null, e.getClass().getSimpleName() + ": " + e.getMessage()));
      }
    }
    return rows;
  }

  static TokenUsage usage(Csv.Line l) {
    return TokenUsage.newBuilder().setEventId(l.get(0)).setTimestampMs(Instant.ofEpochMilli(Long.parseLong(l.get(1))))
        .setTenantId(l.get(2)).setModel(l.get(3)).setRegion(l.get(4)).setNodeId(l.get(5))
        .setInputTokens(Long.parseLong(l.get(6))).setCachedInputTokens(Long.parseLong(l.get(7)))
        .setOutputTokens(Long.parseLong(l.get(8))).build();
  }

  static PowerSample power(Csv.Line l) {
    return PowerSample.newBuilder().setTimestampMs(Instant.ofEpochMilli(Long.parseLong(l.get(0)))).setNodeId(l.get(1))
        .setGpuId(l.get(2)).setIntervalMs(Long.parseLong(l.get(3))).setAvgPowerWatts(Double.parseDouble(l.get(4))).build();
  }

  static NodeProfile node(Csv.Line l) {
    NodeProfile p = NodeProfile.newBuilder().setNodeId(l.get(0)).setRegion(l.get(1)).setGpuModel(l.get(2))
        .setGpuCount(Integer.parseInt(l.get(3))).setGpuTdpWatts(Double.parseDouble(l.get(4)))
        .setHardwareCostUsd(Money.usd(l.get(5))).setAmortizationYears(Double.parseDouble(l.get(6)))
        .setPue(Double.parseDouble(l.get(7))).setHourlyOverheadUsd(Money.usd(l.get(8))).build();
    require(!p.getNodeId().isEmpty() && p.getPue() >= 1.0 && p.getAmortizationYears() > 0
        && p.getHardwareCostUsd().signum() >= 0 && p.getHourlyOverheadUsd().signum() >= 0,
        "node_id non-empty, pue >= 1, amortization_years > 0, costs >= 0");
    return p;
  }

  static PriceBookEntry price(Csv.Line l) {
    PriceBookEntry p = PriceBookEntry.newBuilder().setModel(l.get(0)).setInputUsdPerMtok(Money.usd(l.get(1)))
        .setCachedInputUsdPerMtok(Money.usd(l.get(2))).setOutputUsdPerMtok(Money.usd(l.get(3))).build();
    require(!p.getModel().isEmpty() && p.getInputUsdPerMtok().signum() >= 0 && p.getCachedInputUsdPerMtok().signum() >= 0
        && p.getOutputUsdPerMtok().signum() >= 0, "model non-empty, prices >= 0");
    return p;
  }

  static EnergyPrice energyPrice(Csv.Line l) {
    EnergyPrice p = EnergyPrice.newBuilder().setRegion(l.get(0))
        .setEffectiveFromMs(Instant.ofEpochMilli(Long.parseLong(l.get(1)))).setUsdPerKwh(Money.usd(l.get(2))).build();
    require(!p.getRegion().isEmpty() && p.getUsdPerKwh().signum() >= 0, "region non-empty, usd_per_kwh >= 0");
    return p;
  }

  static Budget budget(Csv.Line l) {
    Budget.Builder b = Budget.newBuilder().setTenantId(l.get(0))
        .setPeriod(BudgetPeriod.valueOf(l.get(1).toUpperCase(Locale.ROOT)))
        .setMetric(BudgetMetric.valueOf(l.get(2).toUpperCase(Locale.ROOT))).setLimitUsd(Money.usd(l.get(3)));
    if (!l.get(4).isEmpty()) {
      List<Double> thresholds = new ArrayList<>();
      for (String t : l.get(4).split(";")) {
        thresholds.add(Double.parseDouble(t.trim()));
      }
      b.setThresholds(thresholds);
    }
    Budget budget = b.build();
    require(!budget.getTenantId().isEmpty() && budget.getLimitUsd().signum() > 0, "tenant_id non-empty, limit_usd > 0");
    return budget;
  }

  private static void require(boolean ok, String rule) {
    if (!ok) {
      throw new IllegalArgumentException("breaks: " + rule);
    }
  }
}

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

  /**
   * A parsed line: the record, or why it could not be read: a SPEC 2 reason where a cell breaks one (a token count
   * beyond 64 bits is TOO_MANY_TOKENS, a fraction INVALID_TOKENS), else null (the row does not parse), and the detail.
   */
  public record Row<T>(String file, Csv.Line line, T record, String reason, String error) {
    public boolean ok() {
      return record != null;
    }
  }

  /** A cell that breaks a SPEC 2 rule before the row can be a record. */
  static final class CellRejected extends IllegalArgumentException {
    private final String reason;

    CellRejected(io.marginflow.topology.domain.Rejection r) {
      super(r.detail());
      this.reason = r.reason();
    }
  }

  /**
   * Token counts are read exactly: a count that fits 64 bits goes to the pipeline, which applies
   * ingest.max-tokens-per-request; one beyond 64 bits or fractional is refused here, never wrapped or rounded.
   */
  private static final io.marginflow.topology.domain.Validation CELLS =
      new io.marginflow.topology.domain.Validation(0, Long.MAX_VALUE);

  /** SPEC 7's columns of each file; any other column is ignored. */
  static final List<String> USAGE_COLUMNS = List.of("event_id", "timestamp_ms", "tenant_id", "model", "region", "node_id",
      "input_tokens", "cached_input_tokens", "output_tokens");
  static final List<String> POWER_COLUMNS = List.of("timestamp_ms", "node_id", "gpu_id", "interval_ms", "avg_power_watts");
  static final List<String> NODE_COLUMNS = List.of("node_id", "region", "gpu_model", "gpu_count", "gpu_tdp_watts",
      "hardware_cost_usd", "amortization_years", "pue", "hourly_overhead_usd");
  static final List<String> PRICE_COLUMNS = List.of("model", "input_usd_per_mtok", "cached_input_usd_per_mtok",
      "output_usd_per_mtok");
  static final List<String> ENERGY_PRICE_COLUMNS = List.of("region", "effective_from_ms", "usd_per_kwh");
  /** thresholds may be left out: the SPEC defaults (0.5, 0.8, 1.0) apply. */
  static final List<String> BUDGET_COLUMNS = List.of("tenant_id", "period", "metric", "limit_usd");

  /** Reads every file present; a file whose header lacks a required column fails here, before anything is produced. */
  public static Scenario read(Path dir) {
    return new Scenario(parse(dir, USAGE, USAGE_COLUMNS, Scenario::usage), parse(dir, POWER, POWER_COLUMNS, Scenario::power),
        parse(dir, NODES, NODE_COLUMNS, Scenario::node), parse(dir, PRICEBOOK, PRICE_COLUMNS, Scenario::price),
        parse(dir, ENERGY_PRICES, ENERGY_PRICE_COLUMNS, Scenario::energyPrice),
        parse(dir, BUDGETS, BUDGET_COLUMNS, Scenario::budget));
  }

  /**
   * The reference files only (small), with usage and power left on disk to be streamed through {@link #events}: a
   * scenario of millions of rows never sits in memory. The event files' headers are checked here too.
   */
  public static Scenario readReference(Path dir) {
    try (EventSource.Rows<TokenUsage> u = events(dir).usage(); EventSource.Rows<PowerSample> p = events(dir).power()) {
      return new Scenario(List.of(), List.of(), parse(dir, NODES, NODE_COLUMNS, Scenario::node),
          parse(dir, PRICEBOOK, PRICE_COLUMNS, Scenario::price),
          parse(dir, ENERGY_PRICES, ENERGY_PRICE_COLUMNS, Scenario::energyPrice),
          parse(dir, BUDGETS, BUDGET_COLUMNS, Scenario::budget));
    }
  }

  /** The usage and power rows of the files in {@code dir}, read as they are iterated. */
  public static EventSource events(Path dir) {
    return new EventSource() {
      @Override
      public Rows<TokenUsage> usage() {
        return stream(dir, USAGE, USAGE_COLUMNS, Scenario::usage);
      }

      @Override
      public Rows<PowerSample> power() {
        return stream(dir, POWER, POWER_COLUMNS, Scenario::power);
      }
    };
  }

  /** This scenario's usage and power rows, from memory. */
  public EventSource events() {
    return new EventSource() {
      @Override
      public Rows<TokenUsage> usage() {
        return EventSource.Rows.of(Scenario.this.usage.iterator(), () -> { });
      }

      @Override
      public Rows<PowerSample> power() {
        return EventSource.Rows.of(Scenario.this.power.iterator(), () -> { });
      }
    };
  }

  private static <T> EventSource.Rows<T> stream(Path dir, String file, List<String> columns, Function<Csv.Line, T> parser) {
    Csv.Reader lines = Csv.open(dir.resolve(file), columns);
    return EventSource.Rows.of(new java.util.Iterator<>() {
      @Override
      public boolean hasNext() {
        return lines.hasNext();
      }

      @Override
      public Row<T> next() {
        return toRow(file, columns, parser, lines.next());
      }
    }, lines::close);
  }

  private static <T> List<Row<T>> parse(Path dir, String file, List<String> columns, Function<Csv.Line, T> parser) {
    List<Row<T>> rows = new ArrayList<>();
    for (Csv.Line line : Csv.read(dir.resolve(file), columns)) {
      rows.add(toRow(file, columns, parser, line));
    }
    return rows;
  }

  private static <T> Row<T> toRow(String file, List<String> columns, Function<Csv.Line, T> parser, Csv.Line line) {
    try {
      for (String c : columns) {
        if (line.columns().get(c) >= line.fields().length) {
          throw new IllegalArgumentException("no field for column " + c + " (" + line.fields().length + " fields)");
        }
      }
      return new Row<>(file, line, parser.apply(line), null, null);
    } catch (CellRejected e) {
      return new Row<>(file, line, null, e.reason, e.getMessage());
    } catch (RuntimeException e) {
      return new Row<>(file, line, null, null, e.getClass().getSimpleName() + ": " + e.getMessage());
    }
  }

  static TokenUsage usage(Csv.Line l) {
    TokenUsage.Builder b = TokenUsage.newBuilder().setEventId(l.get("event_id"))
        .setTimestampMs(Instant.ofEpochMilli(Long.parseLong(l.get("timestamp_ms")))).setTenantId(l.get("tenant_id"))
        .setModel(l.get("model")).setRegion(l.get("region")).setNodeId(l.get("node_id"))
        .setInputTokens(tokens(l, "input_tokens")).setCachedInputTokens(tokens(l, "cached_input_tokens"))
        .setOutputTokens(tokens(l, "output_tokens"));
    if (!l.get("api_key_id").isEmpty()) {
      b.setApiKeyId(l.get("api_key_id"));
    }
    if (!l.get("request_id").isEmpty()) {
      b.setRequestId(l.get("request_id"));
    }
    return b.build();
  }

  private static long tokens(Csv.Line l, String column) {
    String cell = l.get(column).trim();
    try {
      return Long.parseLong(cell);
    } catch (NumberFormatException e) {
      var count = CELLS.count(column, cell);
      if (!count.valid()) {
        throw new CellRejected(count.rejection());
      }
      return count.value();
    }
  }

  static PowerSample power(Csv.Line l) {
    PowerSample.Builder b = PowerSample.newBuilder().setTimestampMs(Instant.ofEpochMilli(Long.parseLong(l.get("timestamp_ms"))))
        .setNodeId(l.get("node_id")).setGpuId(l.get("gpu_id")).setIntervalMs(Long.parseLong(l.get("interval_ms")))
        .setAvgPowerWatts(Double.parseDouble(l.get("avg_power_watts")));
    if (!l.get("gpu_utilization").isEmpty()) {
      b.setGpuUtilization(Double.parseDouble(l.get("gpu_utilization")));
    }
    return b.build();
  }

  static NodeProfile node(Csv.Line l) {
    NodeProfile p = NodeProfile.newBuilder().setNodeId(l.get("node_id")).setRegion(l.get("region"))
        .setGpuModel(l.get("gpu_model")).setGpuCount(Integer.parseInt(l.get("gpu_count")))
        .setGpuTdpWatts(Double.parseDouble(l.get("gpu_tdp_watts"))).setHardwareCostUsd(Money.usd(l.get("hardware_cost_usd")))
        .setAmortizationYears(Double.parseDouble(l.get("amortization_years"))).setPue(Double.parseDouble(l.get("pue")))
        .setHourlyOverheadUsd(Money.usd(l.get("hourly_overhead_usd"))).build();
    require(!p.getNodeId().isEmpty() && p.getPue() >= 1.0 && p.getAmortizationYears() > 0
        && p.getHardwareCostUsd().signum() >= 0 && p.getHourlyOverheadUsd().signum() >= 0,
        "node_id non-empty, pue >= 1, amortization_years > 0, costs >= 0");
    return p;
  }

  static PriceBookEntry price(Csv.Line l) {
    PriceBookEntry p = PriceBookEntry.newBuilder().setModel(l.get("model")).setInputUsdPerMtok(Money.usd(l.get("input_usd_per_mtok")))
        .setCachedInputUsdPerMtok(Money.usd(l.get("cached_input_usd_per_mtok")))
        .setOutputUsdPerMtok(Money.usd(l.get("output_usd_per_mtok"))).build();
    require(!p.getModel().isEmpty() && p.getInputUsdPerMtok().signum() >= 0 && p.getCachedInputUsdPerMtok().signum() >= 0
        && p.getOutputUsdPerMtok().signum() >= 0, "model non-empty, prices >= 0");
    return p;
  }

  static EnergyPrice energyPrice(Csv.Line l) {
    EnergyPrice p = EnergyPrice.newBuilder().setRegion(l.get("region"))
        .setEffectiveFromMs(Instant.ofEpochMilli(Long.parseLong(l.get("effective_from_ms"))))
        .setUsdPerKwh(Money.usd(l.get("usd_per_kwh"))).build();
    require(!p.getRegion().isEmpty() && p.getUsdPerKwh().signum() >= 0, "region non-empty, usd_per_kwh >= 0");
    return p;
  }

  static Budget budget(Csv.Line l) {
    Budget.Builder b = Budget.newBuilder().setTenantId(l.get("tenant_id"))
        .setPeriod(BudgetPeriod.valueOf(l.get("period").toUpperCase(Locale.ROOT)))
        .setMetric(BudgetMetric.valueOf(l.get("metric").toUpperCase(Locale.ROOT))).setLimitUsd(Money.usd(l.get("limit_usd")));
    if (!l.get("thresholds").isEmpty()) {
      List<Double> thresholds = new ArrayList<>();
      for (String t : l.get("thresholds").split(";")) {
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

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
import io.marginflow.topology.domain.Rejection;
import io.marginflow.topology.domain.Validation;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * How a line of each scenario file becomes its Avro record: SPEC 7's columns of each file and the parser of its
 * lines. A parser throws when a line does not parse, or {@link CellRejected} when a cell breaks a SPEC 2 rule; the
 * record is not yet validated against SPEC 2 (the pipeline does that).
 */
final class ScenarioRecords {
  /** A scenario file: its name, SPEC 7's columns (any other column is ignored) and how a line becomes its record. */
  record FileFormat<T>(String file, List<String> columns, Function<Csv.Line, T> parser) {
  }

  static final FileFormat<TokenUsage> USAGE = new FileFormat<>(Scenario.USAGE, List.of("event_id", "timestamp_ms",
      "tenant_id", "model", "region", "node_id", "input_tokens", "cached_input_tokens", "output_tokens"),
      ScenarioRecords::usage);
  static final FileFormat<PowerSample> POWER = new FileFormat<>(Scenario.POWER, List.of("timestamp_ms", "node_id",
      "gpu_id", "interval_ms", "avg_power_watts"), ScenarioRecords::power);
  static final FileFormat<NodeProfile> NODES = new FileFormat<>(Scenario.NODES, List.of("node_id", "region",
      "gpu_model", "gpu_count", "gpu_tdp_watts", "hardware_cost_usd", "amortization_years", "pue", "hourly_overhead_usd"),
      ScenarioRecords::node);
  static final FileFormat<PriceBookEntry> PRICEBOOK = new FileFormat<>(Scenario.PRICEBOOK, List.of("model",
      "input_usd_per_mtok", "cached_input_usd_per_mtok", "output_usd_per_mtok"), ScenarioRecords::price);
  static final FileFormat<EnergyPrice> ENERGY_PRICES = new FileFormat<>(Scenario.ENERGY_PRICES, List.of("region",
      "effective_from_ms", "usd_per_kwh"), ScenarioRecords::energyPrice);
  /** thresholds may be left out: the SPEC defaults (0.5, 0.8, 1.0) apply. */
  static final FileFormat<Budget> BUDGETS = new FileFormat<>(Scenario.BUDGETS, List.of("tenant_id", "period", "metric",
      "limit_usd"), ScenarioRecords::budget);

  /**
   * Token counts are read exactly: a count that fits 64 bits goes to the pipeline, which applies
   * ingest.max-tokens-per-request; one beyond 64 bits or fractional is refused here, never wrapped or rounded.
   */
  private static final Validation CELLS = new Validation(0, Long.MAX_VALUE);

  private ScenarioRecords() {
  }

  /** A cell that breaks a SPEC 2 rule before the row can be a record. */
  static final class CellRejected extends IllegalArgumentException {
    private final String reason;

    CellRejected(Rejection r) {
      super(r.detail());
      this.reason = r.reason();
    }

    /** The SPEC 2 reason code. */
    String reason() {
      return reason;
    }
  }

  private static TokenUsage usage(Csv.Line l) {
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
      Validation.Count count = CELLS.count(column, cell);
      if (!count.valid()) {
        throw new CellRejected(count.rejection());
      }
      return count.value();
    }
  }

  private static PowerSample power(Csv.Line l) {
    PowerSample.Builder b = PowerSample.newBuilder().setTimestampMs(Instant.ofEpochMilli(Long.parseLong(l.get("timestamp_ms"))))
        .setNodeId(l.get("node_id")).setGpuId(l.get("gpu_id")).setIntervalMs(Long.parseLong(l.get("interval_ms")))
        .setAvgPowerWatts(Double.parseDouble(l.get("avg_power_watts")));
    if (!l.get("gpu_utilization").isEmpty()) {
      b.setGpuUtilization(Double.parseDouble(l.get("gpu_utilization")));
    }
    return b.build();
  }

  private static NodeProfile node(Csv.Line l) {
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

  private static PriceBookEntry price(Csv.Line l) {
    PriceBookEntry p = PriceBookEntry.newBuilder().setModel(l.get("model")).setInputUsdPerMtok(Money.usd(l.get("input_usd_per_mtok")))
        .setCachedInputUsdPerMtok(Money.usd(l.get("cached_input_usd_per_mtok")))
        .setOutputUsdPerMtok(Money.usd(l.get("output_usd_per_mtok"))).build();
    require(!p.getModel().isEmpty() && p.getInputUsdPerMtok().signum() >= 0 && p.getCachedInputUsdPerMtok().signum() >= 0
        && p.getOutputUsdPerMtok().signum() >= 0, "model non-empty, prices >= 0");
    return p;
  }

  private static EnergyPrice energyPrice(Csv.Line l) {
    EnergyPrice p = EnergyPrice.newBuilder().setRegion(l.get("region"))
        .setEffectiveFromMs(Instant.ofEpochMilli(Long.parseLong(l.get("effective_from_ms"))))
        .setUsdPerKwh(Money.usd(l.get("usd_per_kwh"))).build();
    require(!p.getRegion().isEmpty() && p.getUsdPerKwh().signum() >= 0, "region non-empty, usd_per_kwh >= 0");
    return p;
  }

  private static Budget budget(Csv.Line l) {
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

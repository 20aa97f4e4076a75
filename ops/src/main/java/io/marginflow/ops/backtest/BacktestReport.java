package io.marginflow.ops.backtest;

import io.marginflow.ops.backtest.PolicyOutcome.Adjustment;
import io.marginflow.ops.backtest.PolicyOutcome.Totals;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Writer;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * A backtest's comparison: per policy and per tenant revenue, cost, margin and margin ratio, the adjustments made and
 * the multiplier range, and each policy's difference against the first one (the baseline). Printed, and written as
 * policies.csv, tenants.csv, multipliers.csv and a self-contained report.html.
 */
public final class BacktestReport {
  static final String POLICY_HEADER = "policy,elasticity,substitution,requests,revenue_usd,total_cost_usd,gross_margin_usd,"
      + "margin_ratio,idle_cost_usd,gpu_utilization,adjustments,multiplier_min,multiplier_max,passes,converged,requests_diff,"
      + "revenue_diff_usd,total_cost_diff_usd,gross_margin_diff_usd,margin_ratio_diff,idle_cost_diff_usd,gpu_utilization_diff";
  static final String TENANT_HEADER = "policy,elasticity,substitution,tenant_id,requests,revenue_usd,total_cost_usd,"
      + "gross_margin_usd,margin_ratio,revenue_diff_usd,gross_margin_diff_usd,margin_ratio_diff";
  static final String MULTIPLIER_HEADER = "policy,elasticity,substitution,model,region,effective_from_ms,previous_multiplier,"
      + "multiplier,realized_margin_ratio";
  static final String PASS_HEADER = "policy,elasticity,substitution,pass,requests,revenue_usd,gross_margin_usd,"
      + "multiplier_distance,converged";

  private final List<PolicyOutcome> outcomes;
  /** One demand model and it fixed: outcomes are named by their policy alone, as before demand models. */
  private final boolean namedByPolicy;

  public BacktestReport(List<PolicyOutcome> outcomes) {
    if (outcomes.isEmpty()) {
      throw new IllegalArgumentException("a backtest report needs at least one policy");
    }
    this.outcomes = List.copyOf(outcomes);
    this.namedByPolicy = groups().size() == 1 && outcomes.get(0).demand().model().fixed();
  }

  List<PolicyOutcome> outcomes() {
    return outcomes;
  }

  PolicyOutcome baseline() {
    return outcomes.get(0);
  }

  /** What {@code o} is compared with: the first policy under the same demand model. */
  PolicyOutcome baseline(PolicyOutcome o) {
    return outcomes.stream().filter(x -> x.demand().model().equals(o.demand().model())).findFirst().orElseThrow();
  }

  /** The outcomes per demand model, in their order. */
  Map<DemandModel, List<PolicyOutcome>> groups() {
    Map<DemandModel, List<PolicyOutcome>> out = new LinkedHashMap<>();
    outcomes.forEach(o -> out.computeIfAbsent(o.demand().model(), d -> new ArrayList<>()).add(o));
    return out;
  }

  /** The policy's name, and its demand model's when the report has several or demand answers prices. */
  String name(PolicyOutcome o) {
    return namedByPolicy ? o.policy() : o.policy() + " " + o.demand().model().label();
  }

  /** Every tenant any policy saw, {@code __idle__} (capacity nobody used) last. */
  List<String> tenants() {
    SortedSet<String> all = new TreeSet<>();
    outcomes.forEach(o -> all.addAll(o.tenants().keySet()));
    List<String> out = new ArrayList<>(all);
    if (out.remove(IDLE)) {
      out.add(IDLE);
    }
    return out;
  }

  static final String IDLE = io.marginflow.topology.domain.Attribution.IDLE;

  /** Writes the CSV files and report.html into {@code dir}. */
  public void write(Path dir) throws IOException {
    Files.createDirectories(dir);
    try (Writer w = Files.newBufferedWriter(dir.resolve("policies.csv"), StandardCharsets.UTF_8)) {
      w.write(POLICY_HEADER + "\n");
      for (PolicyOutcome o : outcomes) {
        Totals t = o.total();
        w.write(String.join(",", cell(o.policy()), demand(o), Long.toString(t.requests()), plain(t.revenueUsd()),
            plain(t.costUsd()), plain(t.marginUsd()), plain(t.marginRatio()), plain(o.idleCostUsd()),
            plain(o.gpuUtilization()), Integer.toString(o.adjustments().size()), plain(o.minMultiplier()),
            plain(o.maxMultiplier()), Integer.toString(Math.max(1, o.demand().passes().size())),
            Boolean.toString(o.demand().converged()), BacktestDiffs.policy(o, baseline(o))) + "\n");
      }
    }
    try (Writer w = Files.newBufferedWriter(dir.resolve("passes.csv"), StandardCharsets.UTF_8)) {
      w.write(PASS_HEADER + "\n");
      for (PolicyOutcome o : outcomes) {
        List<PolicyOutcome.Pass> passes = o.demand().passes();
        for (int i = 0; i < passes.size(); i++) {
          PolicyOutcome.Pass p = passes.get(i);
          w.write(String.join(",", cell(o.policy()), demand(o), Integer.toString(i + 1), Long.toString(p.requests()),
              plain(p.revenueUsd()), plain(p.marginUsd()), plain(p.distance()),
              Boolean.toString(o.demand().converged() && i == passes.size() - 1)) + "\n");
        }
      }
    }
    try (Writer w = Files.newBufferedWriter(dir.resolve("tenants.csv"), StandardCharsets.UTF_8)) {
      w.write(TENANT_HEADER + "\n");
      for (PolicyOutcome o : outcomes) {
        for (String tenant : tenants()) {
          Totals t = o.tenant(tenant);
          w.write(String.join(",", cell(o.policy()), demand(o), cell(tenant), Long.toString(t.requests()),
              plain(t.revenueUsd()), plain(t.costUsd()), plain(t.marginUsd()), plain(t.marginRatio()),
              diffs(t, baseline(o).tenant(tenant), o == baseline(o))) + "\n");
        }
      }
    }
    try (Writer w = Files.newBufferedWriter(dir.resolve("multipliers.csv"), StandardCharsets.UTF_8)) {
      w.write(MULTIPLIER_HEADER + "\n");
      for (PolicyOutcome o : outcomes) {
        for (Adjustment a : o.adjustments()) {
          w.write(String.join(",", cell(o.policy()), demand(o), cell(a.model()), cell(a.region()),
              Long.toString(a.effectiveFromMs()),
              plain(a.previous()), plain(a.multiplier()), plain(a.realizedMarginRatio())) + "\n");
        }
      }
    }
    Files.writeString(dir.resolve("report.html"), BacktestHtml.render(this), StandardCharsets.UTF_8);
  }

  /** An id as a CSV cell (RFC 4180): quoted when it holds a comma, a quote or a line break (valid in ids). */
  static String cell(String id) {
    return id.contains(",") || id.contains("\"") || id.contains("\n") || id.contains("\r")
        ? "\"" + id.replace("\"", "\"\"") + "\"" : id;
  }

  private static String demand(PolicyOutcome o) {
    return plain(o.demand().model().elasticity()) + "," + plain(o.demand().model().substitution());
  }

  /** The comparison as text, per demand model: a line per policy, the differences, then a line per tenant. */
  public void print(PrintStream out) {
    BacktestText.print(this, out);
  }

  private static String diffs(Totals t, Totals baseline, boolean isBaseline) {
    if (isBaseline) {
      return ",,";
    }
    BigDecimal ratio = t.marginRatio() == null || baseline.marginRatio() == null ? null
        : t.marginRatio().subtract(baseline.marginRatio());
    return String.join(",", plain(t.revenueUsd().subtract(baseline.revenueUsd())),
        plain(t.marginUsd().subtract(baseline.marginUsd())), plain(ratio));
  }

  /** Plain decimal notation, never an exponent; empty for none (a CSV's null). */
  static String plain(BigDecimal v) {
    return v == null ? "" : v.toPlainString();
  }

  static String percent(BigDecimal ratio) {
    return ratio == null ? "-" : ratio.movePointRight(2).setScale(1, RoundingMode.HALF_EVEN).toPlainString() + " %";
  }

  static String points(BigDecimal ratio, BigDecimal baseline) {
    return ratio == null || baseline == null ? "-"
        : String.format("%+.1f pp", ratio.subtract(baseline).movePointRight(2));
  }

  static String multiplier(BigDecimal m) {
    BigDecimal s = m.stripTrailingZeros();
    return (s.scale() < 2 ? s.setScale(2) : s).toPlainString();
  }
}

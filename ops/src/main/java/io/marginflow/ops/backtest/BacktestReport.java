package io.marginflow.ops.backtest;

import io.marginflow.schemas.Ids;
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
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * A backtest's comparison: per policy and per tenant revenue, cost, margin and margin ratio, the adjustments made and
 * the multiplier range, and each policy's difference against the first one (the baseline). Printed, and written as
 * policies.csv, tenants.csv, multipliers.csv and a self-contained report.html.
 */
public final class BacktestReport {
  static final String POLICY_HEADER = "policy,requests,revenue_usd,total_cost_usd,gross_margin_usd,margin_ratio,adjustments,"
      + "multiplier_min,multiplier_max,revenue_diff_usd,gross_margin_diff_usd,margin_ratio_diff";
  static final String TENANT_HEADER = "policy,tenant_id,requests,revenue_usd,total_cost_usd,gross_margin_usd,margin_ratio,"
      + "revenue_diff_usd,gross_margin_diff_usd,margin_ratio_diff";
  static final String MULTIPLIER_HEADER = "policy,model,region,effective_from_ms,previous_multiplier,multiplier,"
      + "realized_margin_ratio";

  private final List<PolicyOutcome> outcomes;

  public BacktestReport(List<PolicyOutcome> outcomes) {
    if (outcomes.isEmpty()) {
      throw new IllegalArgumentException("a backtest report needs at least one policy");
    }
    this.outcomes = List.copyOf(outcomes);
  }

  List<PolicyOutcome> outcomes() {
    return outcomes;
  }

  PolicyOutcome baseline() {
    return outcomes.get(0);
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
        w.write(String.join(",", cell(o.policy()), Long.toString(t.requests()), plain(t.revenueUsd()), plain(t.costUsd()),
            plain(t.marginUsd()), plain(t.marginRatio()), Integer.toString(o.adjustments().size()), plain(o.minMultiplier()),
            plain(o.maxMultiplier()), diffs(t, baseline().total(), o == baseline())) + "\n");
      }
    }
    try (Writer w = Files.newBufferedWriter(dir.resolve("tenants.csv"), StandardCharsets.UTF_8)) {
      w.write(TENANT_HEADER + "\n");
      for (PolicyOutcome o : outcomes) {
        for (String tenant : tenants()) {
          Totals t = o.tenant(tenant);
          w.write(String.join(",", cell(o.policy()), cell(tenant), Long.toString(t.requests()), plain(t.revenueUsd()),
              plain(t.costUsd()), plain(t.marginUsd()), plain(t.marginRatio()),
              diffs(t, baseline().tenant(tenant), o == baseline())) + "\n");
        }
      }
    }
    try (Writer w = Files.newBufferedWriter(dir.resolve("multipliers.csv"), StandardCharsets.UTF_8)) {
      w.write(MULTIPLIER_HEADER + "\n");
      for (PolicyOutcome o : outcomes) {
        for (Adjustment a : o.adjustments()) {
          w.write(String.join(",", cell(o.policy()), cell(a.model()), cell(a.region()), Long.toString(a.effectiveFromMs()),
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

  /** The comparison as text: a line per policy, the differences, then a line per tenant. */
  public void print(PrintStream out) {
    List<PolicyOutcome> others = outcomes.subList(1, outcomes.size());
    int name = Math.max(16, outcomes.stream().mapToInt(o -> o.policy().length() + baseline().policy().length() + 3).max()
        .orElse(0));
    String row = "%-" + name + "s";
    out.printf(row + " %10s %14s %14s %14s %8s %11s  %s%n", "policy", "requests", "revenue USD", "cost USD", "margin USD",
        "margin", "adjustments", "multipliers");
    for (PolicyOutcome o : outcomes) {
      Totals t = o.total();
      out.printf(row + " %,10d %,14.2f %,14.2f %,14.2f %8s %,11d  %s .. %s%n", o.policy(), t.requests(), t.revenueUsd(),
          t.costUsd(), t.marginUsd(), percent(t.marginRatio()), o.adjustments().size(), multiplier(o.minMultiplier()),
          multiplier(o.maxMultiplier()));
    }
    Totals b = baseline().total();
    for (PolicyOutcome o : others) {
      Totals t = o.total();
      out.printf(row + " %10s %+,14.2f %+,14.2f %+,14.2f %8s%n", o.policy() + " - " + baseline().policy(), "",
          t.revenueUsd().subtract(b.revenueUsd()), t.costUsd().subtract(b.costUsd()), t.marginUsd().subtract(b.marginUsd()),
          points(t.marginRatio(), b.marginRatio()));
    }
    out.printf("%nmargin USD (margin ratio) per tenant; differences against %s%n", baseline().policy());
    int col = Math.max(27, outcomes.stream().mapToInt(o -> o.policy().length()).max().orElse(0));
    StringBuilder header = new StringBuilder(String.format("%-16s", "tenant"));
    outcomes.forEach(o -> header.append(String.format(" %" + col + "s", o.policy())));
    others.forEach(o -> header.append(String.format(" %" + col + "s", o.policy() + " - " + baseline().policy())));
    out.println(header);
    for (String tenant : tenants()) {
      StringBuilder line = new StringBuilder(String.format("%-16s", Ids.printable(tenant)));
      for (PolicyOutcome o : outcomes) {
        Totals t = o.tenant(tenant);
        line.append(String.format(" %" + col + "s", String.format("%,.2f (%s)", t.marginUsd(), percent(t.marginRatio()))));
      }
      for (PolicyOutcome o : others) {
        Totals t = o.tenant(tenant);
        Totals bt = baseline().tenant(tenant);
        line.append(String.format(" %" + col + "s", String.format("%+,.2f (%s)", t.marginUsd().subtract(bt.marginUsd()),
            points(t.marginRatio(), bt.marginRatio()))));
      }
      out.println(line);
    }
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

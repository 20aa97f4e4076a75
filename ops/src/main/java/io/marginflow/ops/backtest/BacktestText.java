package io.marginflow.ops.backtest;

import static io.marginflow.ops.backtest.BacktestReport.multiplier;
import static io.marginflow.ops.backtest.BacktestReport.percent;
import static io.marginflow.ops.backtest.BacktestReport.plain;
import static io.marginflow.ops.backtest.BacktestReport.points;

import io.marginflow.ops.backtest.PolicyOutcome.Totals;
import io.marginflow.schemas.Ids;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** A backtest report as text: per demand model a line per policy, the differences, then a line per tenant. */
final class BacktestText {
  private BacktestText() {
  }

  /** The comparison as text, per demand model: a line per policy, the differences, then a line per tenant. */
  static void print(BacktestReport report, PrintStream out) {
    Map<DemandModel, List<PolicyOutcome>> groups = report.groups();
    if (groups.size() == 1 && groups.keySet().iterator().next().fixed()) {
      printGroup(report, out);
      return;
    }
    for (Map.Entry<DemandModel, List<PolicyOutcome>> g : groups.entrySet()) {
      out.printf("%n== demand %s: requests scale by m^%s%s%s%n", g.getKey().label(), plain(g.getKey().elasticity()),
          g.getKey().substitution().signum() == 0 ? "" : ", a share " + plain(g.getKey().substitution())
              + " of a price gap moves to the cheapest region", g.getKey().byModel().isEmpty() ? ""
              : "; own elasticities " + g.getKey().byModel());
      printGroup(new BacktestReport(g.getValue()), out);
      for (PolicyOutcome o : g.getValue()) {
        out.printf("%s: %d pass%s, %s; multipliers moved %s%n", o.policy(), o.demand().passes().size(),
            o.demand().passes().size() == 1 ? "" : "es", o.demand().converged() ? "a fixed point" : "NOT a fixed point",
            o.demand().passes().stream().map(p -> p.distance() == null ? "-" : multiplier(p.distance()))
                .collect(Collectors.joining(", ")));
      }
    }
  }

  private static void printGroup(BacktestReport report, PrintStream out) {
    List<PolicyOutcome> outcomes = report.outcomes();
    List<PolicyOutcome> others = outcomes.subList(1, outcomes.size());
    int name = Math.max(16, outcomes.stream().mapToInt(o -> o.policy().length() + report.baseline().policy().length() + 3).max()
        .orElse(0));
    String row = "%-" + name + "s";
    out.printf(row + " %10s %14s %14s %14s %8s %12s %8s %11s  %s%n", "policy", "requests", "revenue USD", "cost USD",
        "margin USD", "margin", "idle USD", "GPU use", "adjustments", "multipliers");
    for (PolicyOutcome o : outcomes) {
      Totals t = o.total();
      out.printf(row + " %,10d %,14.2f %,14.2f %,14.2f %8s %,12.2f %8s %,11d  %s .. %s%n", o.policy(), t.requests(),
          t.revenueUsd(), t.costUsd(), t.marginUsd(), percent(t.marginRatio()), o.idleCostUsd(), percent(o.gpuUtilization()),
          o.adjustments().size(), multiplier(o.minMultiplier()), multiplier(o.maxMultiplier()));
    }
    Totals b = report.baseline().total();
    for (PolicyOutcome o : others) {
      Totals t = o.total();
      out.printf(row + " %+,10d %+,14.2f %+,14.2f %+,14.2f %8s %+,12.2f %8s%n", o.policy() + " - " + report.baseline().policy(),
          t.requests() - b.requests(), t.revenueUsd().subtract(b.revenueUsd()), t.costUsd().subtract(b.costUsd()),
          t.marginUsd().subtract(b.marginUsd()), points(t.marginRatio(), b.marginRatio()),
          o.idleCostUsd().subtract(report.baseline().idleCostUsd()), points(o.gpuUtilization(), report.baseline().gpuUtilization()));
    }
    out.printf("%nmargin USD (margin ratio) per tenant; differences against %s%n", report.baseline().policy());
    int col = Math.max(27, outcomes.stream().mapToInt(o -> o.policy().length()).max().orElse(0));
    StringBuilder header = new StringBuilder(String.format("%-16s", "tenant"));
    outcomes.forEach(o -> header.append(String.format(" %" + col + "s", o.policy())));
    others.forEach(o -> header.append(String.format(" %" + col + "s", o.policy() + " - " + report.baseline().policy())));
    out.println(header);
    for (String tenant : report.tenants()) {
      StringBuilder line = new StringBuilder(String.format("%-16s", Ids.printable(tenant)));
      for (PolicyOutcome o : outcomes) {
        Totals t = o.tenant(tenant);
        line.append(String.format(" %" + col + "s", String.format("%,.2f (%s)", t.marginUsd(), percent(t.marginRatio()))));
      }
      for (PolicyOutcome o : others) {
        Totals t = o.tenant(tenant);
        Totals bt = report.baseline().tenant(tenant);
        line.append(String.format(" %" + col + "s", String.format("%+,.2f (%s)", t.marginUsd().subtract(bt.marginUsd()),
            points(t.marginRatio(), bt.marginRatio()))));
      }
      out.println(line);
    }
  }
}

package io.marginflow.ops.cli;

import io.marginflow.ops.backtest.Backtest;
import io.marginflow.ops.backtest.BacktestPolicy;
import io.marginflow.ops.backtest.BacktestReport;
import io.marginflow.ops.backtest.PolicyOutcome;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code marginflow backtest}: the same scenario replayed under each pricing policy, compared tenant by tenant. */
@Command(name = "backtest", mixinStandardHelpOptions = true,
    description = {"Compare pricing policies by replaying one scenario once per policy.",
        "Compares, per policy and per " +
        "tenant, revenue, cost, margin and margin ratio, the adjustments made and the multiplier range, and each policy's",
        "difference against the first. Writes policies.csv, tenants.csv, multipliers.csv and a self-contained report.html",
        "to --out, each replay's own files in --out/<policy>/."})
final class BacktestCommand implements Callable<Integer> {
  @Option(names = "--scenario", required = true, description = "Scenario folder (as for replay).")
  private Path scenario;

  @Option(names = "--policy", required = true, description = "Java properties file of settings, e.g. "
      + "pricing.target-margin=0.35 or pricing.dynamic.enabled=false; repeat for each policy. The first is the baseline; "
      + "the file name (without .properties) names the policy.")
  private List<Path> policies;

  @Option(names = "--out", defaultValue = "backtest", description = "Folder for the report (default: ${DEFAULT-VALUE}).")
  private Path out;

  @Override
  public Integer call() throws Exception {
    List<BacktestPolicy> read = BacktestPolicy.read(policies);
    List<PolicyOutcome> outcomes = Backtest.run(scenario, read, out, System.err);
    BacktestReport report = new BacktestReport(outcomes);
    report.write(out);
    report.print(System.out);
    System.out.printf("%nwrote %s (policies.csv, tenants.csv, multipliers.csv, report.html)%n", out.toAbsolutePath());
    return 0;
  }
}

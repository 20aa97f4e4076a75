package io.marginflow.ops.cli;

import io.marginflow.ops.backtest.Backtest;
import io.marginflow.ops.backtest.BacktestPolicy;
import io.marginflow.ops.backtest.BacktestReport;
import io.marginflow.ops.backtest.DemandModel;
import io.marginflow.ops.backtest.PolicyOutcome;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import org.apache.kafka.common.config.ConfigException;
import picocli.CommandLine.Option;

/** {@code marginflow backtest}: the same scenario replayed under each pricing policy, compared tenant by tenant. */
@Command(name = "backtest", mixinStandardHelpOptions = true,
    description = {"Compare pricing policies by replaying one scenario once per policy.",
        "Compares, per policy and per " +
        "tenant, revenue, cost, margin and margin ratio, the adjustments made and the multiplier range, and each policy's",
        "difference against the first. Writes policies.csv, tenants.csv, multipliers.csv and a self-contained report.html",
        "to --out, each replay's own files in --out/<policy>/. With --elasticity, demand answers prices: each policy is",
        "replayed until demand and multipliers agree (a fixed point), each pass in --out/<policy>/e<elasticity>/pass-k/."})
final class BacktestCommand implements Callable<Integer> {
  @Option(names = "--scenario", required = true, description = "Scenario folder (as for replay).")
  private Path scenario;

  @Option(names = "--policy", required = true, description = "Java properties file of settings, e.g. "
      + "pricing.law=margin-ratio with pricing.target-margin=0.35, or pricing.dynamic.enabled=false; repeat for each "
      + "policy. The first is the baseline; the file name (without .properties) names the policy.")
  private List<Path> policies;

  @Option(names = "--elasticity", split = ",", defaultValue = "0", description = "Price elasticity of demand, one or "
      + "more (e.g. -0.5,-1,-2): requests scale by m^e; 0 (default): demand does not answer prices. Each value is a run "
      + "of every policy, compared with the first policy at the same value.")
  private List<BigDecimal> elasticities;

  @Option(names = "--model-elasticity", split = ",", description = "A model's own elasticity, overriding --elasticity "
      + "for it in every run, e.g. gpt-4o=-0.5,llama-3.1-70b-instruct=-2.")
  private Map<String, BigDecimal> modelElasticities = Map.of();

  @Option(names = "--substitution", defaultValue = "0", description = "Cross-region substitution in [0, 1]: of a "
      + "region dearer than the cheapest other one (same model), the share s (1 - m_cheapest / m) of requests moves "
      + "there (default: ${DEFAULT-VALUE}).")
  private BigDecimal substitution;

  @Option(names = "--passes", defaultValue = "4", description = "At most this many replays per policy and elasticity "
      + "toward the fixed point where demand and multipliers agree (default: ${DEFAULT-VALUE}).")
  private int passes;

  @Option(names = "--tolerance", defaultValue = "0.01", description = "A fixed point: no multiplier moved more than "
      + "this between two passes (default: ${DEFAULT-VALUE}).")
  private BigDecimal tolerance;

  @Option(names = "--out", defaultValue = "backtest", description = "Folder for the report (default: ${DEFAULT-VALUE}).")
  private Path out;

  @Override
  public Integer call() throws Exception {
    List<BacktestPolicy> read = BacktestPolicy.read(policies);
    if (passes < 1) {
      throw new ConfigException("--passes", passes, "must be at least 1");
    }
    if (tolerance.signum() < 0) {
      throw new ConfigException("--tolerance", tolerance.toPlainString(), "must not be negative");
    }
    List<DemandModel> demands = elasticities.stream().map(BigDecimal::stripTrailingZeros).distinct()
        .map(e -> new DemandModel(e, substitution, modelElasticities)).toList();
    List<PolicyOutcome> outcomes = Backtest.run(scenario, read, demands, passes, tolerance, out, System.err);
    BacktestReport report = new BacktestReport(outcomes);
    report.write(out);
    report.print(System.out);
    System.out.printf("%nwrote %s (policies.csv, tenants.csv, multipliers.csv, passes.csv, report.html)%n", out.toAbsolutePath());
    return 0;
  }
}

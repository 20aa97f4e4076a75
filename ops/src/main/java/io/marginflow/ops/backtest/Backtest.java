package io.marginflow.ops.backtest;

import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;

/**
 * "What would this scenario have earned under each of these pricing policies?": the real pipeline replays the same
 * scenario once per policy (SPEC 7, each on its own fresh embedded broker), then the outcomes are compared tenant by
 * tenant. Each replay's own files stay in {@code out/<policy>/}; the comparison is written beside them.
 */
public final class Backtest {
  private Backtest() {
  }

  public static List<PolicyOutcome> run(Path scenario, List<BacktestPolicy> policies, Path out, PrintStream progress)
      throws Exception {
    return run(scenario, policies, List.of(DemandModel.FIXED), DEFAULT_PASSES, DEFAULT_TOLERANCE, out, progress);
  }

  /** At most this many replays per policy and demand model. */
  public static final int DEFAULT_PASSES = 4;
  /** A fixed point: no multiplier moved by more than this between two passes. */
  public static final BigDecimal DEFAULT_TOLERANCE = new BigDecimal("0.01");

  /**
   * Every policy under every demand model ({@link FixedPoint}), grouped by demand model, policies in their order in
   * each: a report compares each outcome with the first policy's under the same demand. With fixed demand only, each
   * policy's replay is in {@code out/<policy>/} as before; else in {@code out/<policy>/<demand>/pass-k/}.
   */
  public static List<PolicyOutcome> run(Path scenario, List<BacktestPolicy> policies, List<DemandModel> demands,
      int maxPasses, BigDecimal tolerance, Path out, PrintStream progress) throws Exception {
    if (!Files.isDirectory(scenario)) {
      throw new ConfigException("--scenario", scenario.toString(), "not a directory");
    }
    Files.createDirectories(out);
    boolean onlyFixed = demands.stream().allMatch(DemandModel::fixed) && demands.size() == 1;
    List<PolicyOutcome> outcomes = new ArrayList<>();
    Map<String, Path> recorded = new HashMap<>();
    for (DemandModel demand : demands) {
      for (BacktestPolicy policy : policies) {
        progress.printf("backtest: replaying %s under policy %s %s, demand %s%n", scenario, policy.name(), policy.settings(),
            demand.label());
        Path dir = onlyFixed ? out.resolve(policy.name()) : out.resolve(policy.name()).resolve(folder(demand));
        outcomes.add(FixedPoint.run(scenario, policy, demand, dir, recorded.get(policy.name()), maxPasses, tolerance,
            progress));
        recorded.putIfAbsent(policy.name(), demand.fixed() ? dir : dir.resolve("pass-1"));
      }
    }
    return outcomes;
  }

  /** "e-1" or "e-0.5_s0.3": a demand model's folder. */
  static String folder(DemandModel d) {
    return d.label().replace("=", "").replace(' ', '_');
  }
}

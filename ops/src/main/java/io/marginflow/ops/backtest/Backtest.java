package io.marginflow.ops.backtest;

import io.marginflow.ops.replay.Replay;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
    if (!Files.isDirectory(scenario)) {
      throw new ConfigException("--scenario", scenario.toString(), "not a directory");
    }
    Files.createDirectories(out);
    List<PolicyOutcome> outcomes = new ArrayList<>();
    for (BacktestPolicy policy : policies) {
      progress.printf("backtest: replaying %s under policy %s %s%n", scenario, policy.name(), policy.settings());
      Path dir = out.resolve(policy.name());
      Replay.run(scenario, dir, policy.settings(), progress);
      outcomes.add(PolicyOutcome.read(policy, dir));
    }
    return outcomes;
  }
}

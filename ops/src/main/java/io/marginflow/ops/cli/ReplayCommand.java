package io.marginflow.ops.cli;

import io.marginflow.ops.replay.Replay;
import io.marginflow.topology.config.MarginflowConfig;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code marginflow replay}: the real pipeline over a scenario directory, on a fresh embedded broker (SPEC 7). */
@Command(name = "replay", mixinStandardHelpOptions = true,
    description = {"Run the real pipeline over a scenario directory on a fresh embedded broker.",
        "Once every window has " +
        "closed, write margins.jsonl, alerts.jsonl, price_adjustments.jsonl, dlq.jsonl (invalid rows) and late.jsonl",
        "(valid rows that came after their bucket was final) to --out."})
final class ReplayCommand implements Callable<Integer> {
  @Option(names = "--scenario", required = true, description = "Folder with usage.csv, power.csv, nodes.csv, pricebook.csv, "
      + "energy_prices.csv, budgets.csv (any may be absent).")
  private Path scenario;

  @Option(names = "--out", required = true, description = "Folder for the JSON-lines results (created if needed).")
  private Path out;

  @Option(names = "--config", description = "Java properties file of settings, e.g. pricing.dynamic.enabled=false.")
  private Path config;

  @Override
  public Integer call() throws Exception {
    Replay.run(scenario, out, config == null ? Map.of() : MarginflowConfig.readProperties(config), System.err);
    return 0;
  }
}

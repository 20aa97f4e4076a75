package io.marginflow.ops.cli;

import io.marginflow.ops.replay.Replay;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code marginflow replay}: the real pipeline over a scenario directory, on a fresh embedded broker (SPEC 7). */
@Command(name = "replay", mixinStandardHelpOptions = true,
    description = {"Run the real pipeline on a fresh embedded broker over a scenario directory and, once every window has",
        "closed, write margins.jsonl, alerts.jsonl, price_adjustments.jsonl and dlq.jsonl to --out."})
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
    Replay.run(scenario, out, read(config), System.err);
    return 0;
  }

  static Map<String, String> read(Path file) throws IOException {
    Map<String, String> values = new HashMap<>();
    if (file != null) {
      Properties p = new Properties();
      try (Reader r = Files.newBufferedReader(file)) {
        p.load(r);
      }
      p.forEach((k, v) -> values.put(k.toString().trim(), v.toString().trim()));
    }
    return values;
  }
}

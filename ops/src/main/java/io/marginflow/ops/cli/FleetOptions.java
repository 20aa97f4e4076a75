package io.marginflow.ops.cli;

import picocli.CommandLine.Option;

/** The simulated fleet, shared by {@code generate} and {@code demo}. */
final class FleetOptions {
  @Option(names = "--tenants", defaultValue = "20", description = "Tenants, Zipf-sized (default: ${DEFAULT-VALUE}).")
  int tenants;

  @Option(names = "--nodes", defaultValue = "8",
      description = "8-GPU nodes; the last one serves nothing (default: ${DEFAULT-VALUE}).")
  int nodes;

  @Option(names = "--seed", defaultValue = "1", description = "Random seed; same seed, same data (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--rate", description = "Mean requests per second (default: what keeps the serving nodes about 65 %% busy, "
      + "3.56 requests/s per node at full load from the Splitwise H100 performance model: 16.2 for 8 nodes).")
  Double rate;

  /** The given rate, or the one that keeps the serving nodes about 65 % busy on average (40-85 % over the day). */
  double rate() {
    return rate != null ? rate : io.marginflow.ops.scenario.ScenarioGenerator.requestsPerSecond(nodes, 0.65);
  }
}

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
}

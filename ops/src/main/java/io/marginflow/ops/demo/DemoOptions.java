package io.marginflow.ops.demo;

import java.nio.file.Path;
import java.time.Duration;

/** How the demo runs: where its state lives, how fast event time goes, how big the simulated fleet is. */
public record DemoOptions(Path stateDir, int port, int kafkaPort, int registryPort, Duration lookback, double speed,
    int tenants, int nodes, long seed, double rate, boolean reset, Duration printEvery) {
  public static final String ADMIN_TOKEN = "demo-admin";

  public DemoOptions {
    if (speed < 1 || rate <= 0 || tenants < 1 || nodes < 1) {
      throw new IllegalArgumentException("speed >= 1, rate > 0, tenants and nodes >= 1");
    }
  }
}

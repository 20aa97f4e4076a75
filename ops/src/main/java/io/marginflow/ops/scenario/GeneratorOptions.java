package io.marginflow.ops.scenario;

import java.nio.file.Path;
import java.time.Instant;

/** What to generate: size, length, randomness, start and optional trace of real arrivals. */
public record GeneratorOptions(int tenants, int nodes, int hours, long seed, Instant start, double requestsPerSecond,
    Path trace) {
  /** 2026-01-05T00:00:00Z: a fixed, past start keeps generated scenarios reproducible and replayable. */
  public static final Instant DEFAULT_START = Instant.parse("2026-01-05T00:00:00Z");

  public GeneratorOptions {
    if (tenants < 1 || nodes < 1 || hours < 1 || requestsPerSecond <= 0) {
      throw new IllegalArgumentException("tenants, nodes, hours and rate must be positive");
    }
  }
}

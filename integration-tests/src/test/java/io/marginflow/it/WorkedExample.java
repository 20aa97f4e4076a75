package io.marginflow.it;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * DESIGN.md's worked example as scenario files: node n1 in region eu (2 GPUs at 500 W for two minutes from
 * {@code b0}, PUE 1.25, 262,980 USD over 3 years plus 2 USD/h, 0.12 USD/kWh) costs C = 0.2025 USD per 60 s bucket; model
 * m1 lists 1.00 / 0.10 / 4.00 USD per 1M input / cached / output tokens. Usage and budgets are each test's own.
 */
final class WorkedExample {
  private WorkedExample() {
  }

  /** Writes nodes, price book, energy prices and power into a new folder {@code s}; returns it. */
  static Path writeFleet(Path s, long b0) throws Exception {
    Files.createDirectories(s);
    Files.writeString(s.resolve("nodes.csv"), "node_id,region,gpu_model,gpu_count,gpu_tdp_watts,hardware_cost_usd,"
        + "amortization_years,pue,hourly_overhead_usd\nn1,eu,H100,2,700,262980,3,1.25,2\n");
    Files.writeString(s.resolve("pricebook.csv"), "model,input_usd_per_mtok,cached_input_usd_per_mtok,output_usd_per_mtok\n"
        + "m1,1.00,0.10,4.00\n");
    Files.writeString(s.resolve("energy_prices.csv"), "region,effective_from_ms,usd_per_kwh\neu,0,0.12\n");
    StringBuilder power = new StringBuilder("timestamp_ms,node_id,gpu_id,interval_ms,avg_power_watts\n");
    for (long t = b0; t < b0 + 120_000; t += 15_000) {
      power.append(t).append(",n1,0,15000,500\n").append(t).append(",n1,1,15000,500\n");
    }
    Files.writeString(s.resolve("power.csv"), power.toString());
    return s;
  }
}

package io.marginflow.ops.scenario;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * The generator's reference files: the nodes of the fleet, the price book, energy prices that change every 30 minutes
 * and a budget per tenant. Draws from the generator's random numbers, so its calls keep the generator's order.
 */
final class ReferenceFiles {
  private final GeneratorOptions o;
  private final Random rng;

  ReferenceFiles(GeneratorOptions options, Random rng) {
    this.o = options;
    this.rng = rng;
  }

  void writeNodes(Path dir) throws IOException {
    try (PrintWriter w = ScenarioGenerator.open(dir, Scenario.NODES,
        "node_id,region,gpu_model,gpu_count,gpu_tdp_watts,hardware_cost_usd,amortization_years,pue,hourly_overhead_usd")) {
      for (int n = 0; n < o.nodes(); n++) {
        w.printf(Locale.ROOT, "%s,%s,H100-SXM,%d,%.0f,%d,4,%.2f,%.2f%n", Workload.node(n), Workload.regionOf(n),
            ScenarioGenerator.GPUS, ScenarioGenerator.TDP_WATTS, 280_000 + 1_000 * rng.nextInt(40),
            1.15 + rng.nextInt(31) / 100.0, 1.5 + rng.nextInt(251) / 100.0);
      }
    }
  }

  void writePrices(Path dir) throws IOException {
    try (PrintWriter w = ScenarioGenerator.open(dir, Scenario.PRICEBOOK,
        "model,input_usd_per_mtok,cached_input_usd_per_mtok,output_usd_per_mtok")) {
      for (String[] m : ScenarioGenerator.MODELS) {
        if (m[1] != null) {
          w.printf("%s,%s,%s,%s%n", m[0], m[1], m[2], m[3]);
        }
      }
    }
  }

  void writeEnergyPrices(Path dir) throws IOException {
    try (PrintWriter w = ScenarioGenerator.open(dir, Scenario.ENERGY_PRICES, "region,effective_from_ms,usd_per_kwh")) {
      long start = o.start().toEpochMilli();
      String[] regions = ScenarioGenerator.REGIONS;
      for (int r = 0; r < regions.length; r++) {
        double base = r == 0 ? 0.18 : 0.09;
        for (long t = start - 3_600_000L; t < start + o.hours() * 3_600_000L; t += 1_800_000L) {
          double price = base * (1 + 0.3 * Math.sin(t / 7_200_000.0 + r)) + rng.nextInt(100) / 100_000.0;
          w.printf(Locale.ROOT, "%s,%d,%.5f%n", regions[r], t, price);
        }
      }
    }
  }

  /**
   * A budget per tenant: DAILY SPEND limits of {@code scale} times the tenant's list spend in {@code requests}, drawn
   * between 0.5x and 1.5x of that; every fifth tenant a MONTHLY COST budget instead.
   */
  void writeBudgets(Path dir, List<Workload.Request> requests, double scale) throws IOException {
    double[] spend = new double[o.tenants()];
    for (Workload.Request r : requests) {
      spend[r.tenant()] += r.listRevenueUsd();
    }
    try (PrintWriter w = ScenarioGenerator.open(dir, Scenario.BUDGETS, "tenant_id,period,metric,limit_usd,thresholds")) {
      for (int t = 0; t < o.tenants(); t++) {
        double daily = Math.max(1, spend[t] * scale * (0.5 + rng.nextDouble()));
        boolean cost = t % 5 == 4;
        w.printf(Locale.ROOT, "%s,%s,%s,%.2f,0.5;0.8;1.0%n", Workload.tenant(t), cost ? "MONTHLY" : "DAILY",
            cost ? "COST" : "SPEND", cost ? daily * 30 * 0.6 : daily);
      }
    }
  }
}

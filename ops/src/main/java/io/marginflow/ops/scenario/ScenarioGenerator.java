package io.marginflow.ops.scenario;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Writes a realistic scenario directory (SPEC 7): Zipf-sized tenants on several models and price tiers, 8-GPU
 * H100 nodes whose power follows their load between idle (~80 W) and TDP (700 W), one node that serves nothing
 * (a zombie), energy prices changing every 30 minutes, budgets, a few duplicates and a few bad rows.
 */
public final class ScenarioGenerator {
  static final long SAMPLE_MS = 15_000;
  static final double IDLE_WATTS = 80;
  static final double TDP_WATTS = 700;
  public static final int GPUS = 8;

  /** The node ids of a fleet of {@code nodes}, as the generator and the live load name them. */
  public static java.util.List<String> nodeIds(int nodes) {
    return java.util.stream.IntStream.range(0, nodes).mapToObj(Workload::node).toList();
  }

  static final String[] REGIONS = {"eu-west", "us-east"};
  /** model, input, cached input, output USD per 1M tokens; the last model has no price book entry. */
  /**
   * Models and list prices (USD per 1M input, cached input, output tokens): rows of the public LLM price book
   * (../shared/data/llm-prices: azure_ai Meta-Llama-3.1-8B-Instruct 0.30/0.61, databricks meta-llama-3-1-70b-instruct
   * 1.00/3.00, fireworks_ai mixtral-8x22b-instruct 1.20/1.20, deepseek deepseek-r1 0.55/2.19 with its cache-hit price
   * 0.14); cached input at a quarter of the input price where the book has none. The last has no price: unpriced.
   */
  static final String[][] MODELS = {
      {"llama-3.1-8b-instruct", "0.30", "0.075", "0.61"},
      {"llama-3.1-70b-instruct", "1.00", "0.25", "3.00"},
      {"mixtral-8x22b-instruct", "1.20", "0.30", "1.20"},
      {"deepseek-r1", "0.55", "0.14", "2.19"},
      {"experimental-preview", null, null, null}};
  /** How often tenants choose each priced model (a 70B-class model most): the mix a general-purpose fleet serves. */
  static final double[] MODEL_MIX = {0.15, 0.50, 0.20, 0.15};
  /**
   * What one node (8 x H100-SXM, tensor parallel 8) serves at full load, in SPEC 3 weighted tokens per second
   * (input 1, cached 0.1, output 4). From the Splitwise performance model (../shared/data/splitwise, llama2-70b on
   * h100-80gb, TP 8, batch 64): a 512-token prompt batch takes 2.99 s (10,950 prefill tokens/s) and a decode step
   * 51 ms (1,255 output tokens/s). A median request of 900 input and 250 output tokens then holds the node
   * 900 / 10,950 + 250 / 1,255 = 0.281 s: 3.56 requests/s, 1,900 weighted tokens each, 6,760 weighted tokens/s.
   */
  static final double NODE_WEIGHTED_TOKENS_PER_S = 6_760;
  /** Requests per second one node serves at full load, for the median request above. */
  static final double NODE_REQUESTS_PER_S = 3.56;

  /** Requests per second that keep the serving nodes (all but the idle last one) at {@code utilization} on average. */
  public static double requestsPerSecond(int nodes, double utilization) {
    return Math.round(Math.max(1, nodes - 1) * NODE_REQUESTS_PER_S * utilization * 10) / 10.0;
  }

  private final GeneratorOptions o;
  private final Random rng;
  private final Workload workload;

  public ScenarioGenerator(GeneratorOptions options) {
    this.o = options;
    this.rng = new Random(options.seed());
    this.workload = new Workload(options, rng);
  }

  /** Writes the six CSV files into {@code dir}; returns how many usage rows were written. */
  public int write(Path dir) throws IOException {
    Files.createDirectories(dir);
    List<Workload.Request> requests = workload.requests();
    writeNodes(dir);
    writePrices(dir);
    writeEnergyPrices(dir);
    writeBudgets(dir, requests, 24.0 / o.hours());
    int rows = writeUsage(dir, requests);
    writePower(dir, requests);
    return rows;
  }

  private PrintWriter open(Path dir, String file, String header) throws IOException {
    PrintWriter w = new PrintWriter(Files.newBufferedWriter(dir.resolve(file), StandardCharsets.UTF_8));
    w.println(header);
    return w;
  }

  private void writeNodes(Path dir) throws IOException {
    try (PrintWriter w = open(dir, Scenario.NODES,
        "node_id,region,gpu_model,gpu_count,gpu_tdp_watts,hardware_cost_usd,amortization_years,pue,hourly_overhead_usd")) {
      for (int n = 0; n < o.nodes(); n++) {
        w.printf(Locale.ROOT, "%s,%s,H100-SXM,%d,%.0f,%d,4,%.2f,%.2f%n", Workload.node(n), Workload.regionOf(n), GPUS,
            TDP_WATTS, 280_000 + 1_000 * rng.nextInt(40), 1.15 + rng.nextInt(31) / 100.0, 1.5 + rng.nextInt(251) / 100.0);
      }
    }
  }

  private void writePrices(Path dir) throws IOException {
    try (PrintWriter w = open(dir, Scenario.PRICEBOOK, "model,input_usd_per_mtok,cached_input_usd_per_mtok,output_usd_per_mtok")) {
      for (String[] m : MODELS) {
        if (m[1] != null) {
          w.printf("%s,%s,%s,%s%n", m[0], m[1], m[2], m[3]);
        }
      }
    }
  }

  private void writeEnergyPrices(Path dir) throws IOException {
    try (PrintWriter w = open(dir, Scenario.ENERGY_PRICES, "region,effective_from_ms,usd_per_kwh")) {
      long start = o.start().toEpochMilli();
      for (int r = 0; r < REGIONS.length; r++) {
        double base = r == 0 ? 0.18 : 0.09;
        for (long t = start - 3_600_000L; t < start + o.hours() * 3_600_000L; t += 1_800_000L) {
          double price = base * (1 + 0.3 * Math.sin(t / 7_200_000.0 + r)) + rng.nextInt(100) / 100_000.0;
          w.printf(Locale.ROOT, "%s,%d,%.5f%n", REGIONS[r], t, price);
        }
      }
    }
  }

  /**
   * A budget per tenant: DAILY SPEND limits of {@code scale} times the tenant's list spend in {@code requests}, drawn
   * between 0.5x and 1.5x of that; every fifth tenant a MONTHLY COST budget instead.
   */
  private void writeBudgets(Path dir, List<Workload.Request> requests, double scale) throws IOException {
    double[] spend = new double[o.tenants()];
    for (Workload.Request r : requests) {
      spend[r.tenant()] += r.listRevenueUsd();
    }
    try (PrintWriter w = open(dir, Scenario.BUDGETS, "tenant_id,period,metric,limit_usd,thresholds")) {
      for (int t = 0; t < o.tenants(); t++) {
        double daily = Math.max(1, spend[t] * scale * (0.5 + rng.nextDouble()));
        boolean cost = t % 5 == 4;
        w.printf(Locale.ROOT, "%s,%s,%s,%.2f,0.5;0.8;1.0%n", Workload.tenant(t), cost ? "MONTHLY" : "DAILY",
            cost ? "COST" : "SPEND", cost ? daily * 30 * 0.6 : daily);
      }
    }
  }

  private int writeUsage(Path dir, List<Workload.Request> requests) throws IOException {
    int rows = 0;
    int bad = 0;
    try (PrintWriter w = open(dir, Scenario.USAGE,
        "event_id,timestamp_ms,tenant_id,model,region,node_id,input_tokens,cached_input_tokens,output_tokens")) {
      for (int i = 0; i < requests.size(); i++) {
        Workload.Request r = requests.get(i);
        String line = String.format(Locale.ROOT, "%s,%d,%s,%s,%s,%s,%d,%d,%d", r.eventId(), r.timestampMs(),
            Workload.tenant(r.tenant()), MODELS[r.model()][0], Workload.regionOf(r.node()), Workload.node(r.node()),
            r.inputTokens(), r.cachedTokens(), r.outputTokens());
        w.println(line);
        rows++;
        if (rng.nextInt(400) == 0) {
          w.println(line);
          rows++;
        }
        if (i % Math.max(1, requests.size() / 6) == 7) {
          w.println(badRow(r, i, bad++));
          rows++;
        }
      }
    }
    return rows;
  }

  /** A GPU's average power at {@code util}: idle plus its share of the headroom to TDP, with 10 % jitter. */
  static double watts(double util, Random rng) {
    double watts = IDLE_WATTS + (TDP_WATTS - IDLE_WATTS) * util * (0.9 + 0.2 * rng.nextDouble());
    return Math.round(Math.min(TDP_WATTS, watts) * 10) / 10.0;
  }

  /** Writes the reference files only (nodes, price book, energy prices, budgets), for a live run. */
  public void writeReference(Path dir) throws IOException {
    writeReference(dir, 24);
  }

  /**
   * Writes the reference files only, for a live run whose DAILY SPEND budgets cover about {@code budgetHours} of the
   * tenants' spend (24: a day's worth, a realistic budget; the demo uses less so that crossings show in minutes).
   */
  public void writeReference(Path dir, double budgetHours) throws IOException {
    Files.createDirectories(dir);
    long start = o.start().toEpochMilli();
    List<Workload.Request> sample = workload.slice(start, start + Math.min(o.hours(), 1) * 3_600_000L);
    writeNodes(dir);
    writePrices(dir);
    writeEnergyPrices(dir);
    writeBudgets(dir, sample, budgetHours / Math.min(o.hours(), 1));
  }

  Workload workload() {
    return workload;
  }

  Random random() {
    return rng;
  }

  /** The {@code kind}-th bad row (kinds in turn, so that every scenario with two or more has dead letters). */
  private String badRow(Workload.Request r, int i, int kind) {
    String base = "bad-" + o.seed() + "-" + i + "," + r.timestampMs() + "," + Workload.tenant(r.tenant()) + ","
        + MODELS[0][0] + "," + Workload.regionOf(r.node()) + "," + Workload.node(r.node());
    return switch (kind % 5) {
      case 0 -> base + ",-5,0,10";
      case 1 -> base + ",100,200,10";
      case 2 -> "garbage line without fields";
      case 3 -> base.replace(Workload.tenant(r.tenant()), "") + ",10,0,10";
      default -> base.replace(Long.toString(r.timestampMs()), "4102444800000") + ",10,0,10";
    };
  }

  private void writePower(Path dir, List<Workload.Request> requests) throws IOException {
    double[][] load = workload.nodeLoad(requests);
    double capacity = NODE_WEIGHTED_TOKENS_PER_S * SAMPLE_MS / 1000.0;
    long start = o.start().toEpochMilli();
    try (PrintWriter w = open(dir, Scenario.POWER, "timestamp_ms,node_id,gpu_id,interval_ms,avg_power_watts")) {
      for (int s = 0; s < load[0].length; s++) {
        for (int n = 0; n < o.nodes(); n++) {
          double util = Math.min(1.0, load[n][s] / capacity);
          for (int g = 0; g < GPUS; g++) {
            w.printf(Locale.ROOT, "%d,%s,%d,%d,%.1f%n", start + s * SAMPLE_MS, Workload.node(n), g, SAMPLE_MS, watts(util, rng));
          }
        }
        if (s == load[0].length / 2) {
          w.printf(Locale.ROOT, "%d,%s,0,%d,25000.0%n", start + s * SAMPLE_MS, Workload.node(0), SAMPLE_MS);
        }
      }
    }
  }

}

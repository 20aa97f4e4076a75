package io.marginflow.ops.scenario;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

/**
 * Writes a realistic scenario directory (SPEC 7): Zipf-sized tenants on several models and price tiers, 8-GPU
 * H100 nodes whose power follows their load between idle (~80 W) and TDP (700 W), one node that serves nothing
 * (a zombie), energy prices changing every 30 minutes, budgets, a few duplicates and a few bad rows. It holds the
 * fleet's figures and the random numbers; {@link ReferenceFiles} and {@link EventFiles} write the files.
 */
public final class ScenarioGenerator {
  static final long SAMPLE_MS = 15_000;
  static final double IDLE_WATTS = 80;
  static final double TDP_WATTS = 700;
  public static final int GPUS = 8;

  /** The node ids of a fleet of {@code nodes}, as the generator and the live load name them. */
  public static List<String> nodeIds(int nodes) {
    return java.util.stream.IntStream.range(0, nodes).mapToObj(Workload::node).toList();
  }

  static final String[] REGIONS = {"eu-west", "us-east"};
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
    writeReference(dir, requests, 24.0 / o.hours());
    EventFiles events = new EventFiles(o, rng);
    int rows = events.writeUsage(dir, requests);
    events.writePower(dir, workload, requests);
    return rows;
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
    writeReference(dir, sample, budgetHours / Math.min(o.hours(), 1));
  }

  private void writeReference(Path dir, List<Workload.Request> requests, double budgetScale) throws IOException {
    ReferenceFiles reference = new ReferenceFiles(o, rng);
    reference.writeNodes(dir);
    reference.writePrices(dir);
    reference.writeEnergyPrices(dir);
    reference.writeBudgets(dir, requests, budgetScale);
  }

  /** A scenario file in {@code dir}, its header line written. */
  static PrintWriter open(Path dir, String file, String header) throws IOException {
    PrintWriter w = new PrintWriter(Files.newBufferedWriter(dir.resolve(file), StandardCharsets.UTF_8));
    w.println(header);
    return w;
  }

  /** A GPU's average power at {@code util}: idle plus its share of the headroom to TDP, with 10 % jitter. */
  static double watts(double util, Random rng) {
    double watts = IDLE_WATTS + (TDP_WATTS - IDLE_WATTS) * util * (0.9 + 0.2 * rng.nextDouble());
    return Math.round(Math.min(TDP_WATTS, watts) * 10) / 10.0;
  }

  Workload workload() {
    return workload;
  }

  Random random() {
    return rng;
  }
}

package io.marginflow.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.marginflow.ops.replay.JsonLines;
import io.marginflow.ops.replay.Replay;
import io.marginflow.ops.scenario.GeneratorOptions;
import io.marginflow.ops.scenario.ScenarioGenerator;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replays generated scenarios through the real pipeline on the embedded broker and checks every 1h margin
 * against {@link ReferenceMargins}, computed independently from the CSV files.
 */
class ReplayIT {
  private static final BigDecimal NANO = new BigDecimal("0.000000001");

  @Test
  void shouldMatchTheReferenceForEveryTenantAndHour(@TempDir Path dir) throws Exception {
    Path scenario = generate(dir, new GeneratorOptions(20, 8, 2, 7, GeneratorOptions.DEFAULT_START, 5, null));
    // Two valid rows half an hour behind the rest of their file: late, not invalid.
    long lateTs = GeneratorOptions.DEFAULT_START.toEpochMilli() + 90 * 60_000L + 1_234;
    int usageRow = appendRow(scenario.resolve("usage.csv"),
        "late-1," + lateTs + ",tenant-001,llama-3.1-70b-instruct,eu-west,node-01,100,0,10");
    int powerRow = appendRow(scenario.resolve("power.csv"), lateTs + ",node-01,0,15000,300");
    // One request must not move anyone's bill (SPEC 2): counts over the bound or beyond 64 bits, fractions, bad ids.
    String row = "," + lateTs + ",%s,llama-3.1-70b-instruct,eu-west,node-01,%s,0,%s";
    appendRow(scenario.resolve("usage.csv"), "big-1" + row.formatted("tenant-001", "100000001", "10"));
    appendRow(scenario.resolve("usage.csv"), "big-2" + row.formatted("tenant-002", "9223372036854775807", "10"));
    appendRow(scenario.resolve("usage.csv"), "big-3" + row.formatted("tenant-002", "10", "9223372036854775807"));
    appendRow(scenario.resolve("usage.csv"), "wrap-1" + row.formatted("tenant-001", "18446744073709551621", "10"));
    appendRow(scenario.resolve("usage.csv"), "frac-1" + row.formatted("tenant-001", "10", "2.5"));
    appendRow(scenario.resolve("usage.csv"), "ctl-1" + row.formatted("tenant-001\u001b[2J", "10", "10"));
    appendRow(scenario.resolve("usage.csv"), "long-1" + row.formatted("t".repeat(129), "10", "10"));
    Path out = replayAndCheck(dir, scenario);

    List<JsonNode> dlq = JsonLines.read(out.resolve("dlq.jsonl"));
    Set<String> reasons = dlq.stream().map(d -> d.get("reason").asText()).collect(Collectors.toSet());
    assertTrue(reasons.contains("POWER_OUT_OF_RANGE") && reasons.contains("UNPARSEABLE_ROW"), reasons.toString());
    Map<String, String> rejected = new java.util.TreeMap<>();
    dlq.stream().filter(d -> d.path("line").asText().matches("(big|wrap|frac|ctl|long)-\\d,.*"))
        .forEach(d -> rejected.put(d.path("line").asText().split(",")[0], d.get("reason").asText()));
    assertEquals(Map.of("big-1", "TOO_MANY_TOKENS", "big-2", "TOO_MANY_TOKENS", "big-3", "TOO_MANY_TOKENS", "wrap-1",
        "TOO_MANY_TOKENS", "frac-1", "INVALID_TOKENS", "ctl-1", "INVALID_ID", "long-1", "INVALID_ID"), rejected);
    assertTrue(dlq.stream().allMatch(d -> d.has("row") && d.get("row").asInt() > 1), "every dead letter names its line");
    assertTrue(reasons.stream().noneMatch("LATE"::equals), "late rows are not dead letters: " + reasons);

    List<JsonNode> late = JsonLines.read(out.resolve("late.jsonl"));
    assertEquals(List.of("power.csv:" + powerRow, "usage.csv:" + usageRow),
        late.stream().map(l -> l.get("file").asText() + ":" + l.get("row").asInt()).toList());
    long bucket = lateTs / 60_000 * 60_000;
    for (JsonNode l : late) {
      assertEquals("LATE", l.get("reason").asText());
      assertEquals(bucket, l.get("bucket_start_ms").asLong());
      assertEquals(bucket + 60_000, l.get("bucket_end_ms").asLong());
      assertTrue(l.get("offset").asLong() >= 0 && l.get("partition").asInt() >= 0, l.toString());
      assertTrue(l.get("line").asText().startsWith(l.get("file").asText().equals("usage.csv") ? "late-1," : lateTs + ","));
      assertTrue(l.get("source_topic").asText().endsWith(".v1"), l.toString());
    }
    assertTrue(!JsonLines.read(out.resolve("price_adjustments.jsonl")).isEmpty(), "the generated fleet is repriced");
  }

  /**
   * Alerts (SPEC 6) against the independent reference: every SPEND THRESHOLD and FORECAST alert the accepted requests
   * must raise, with its amount, projection, breach time and event time, and no other; every COST one as buckets
   * finalize; a NEGATIVE_MARGIN for every tenant-hour (not __idle__) whose checked margin is below zero; a ZOMBIE_NODE
   * for every node-hour with at least 95 % of its cost on __idle__. The scenario starts at 10:00 so
   * that more than 10 % of each day has passed (FORECAST), and the budgets are set from each tenant's spend so that some
   * cross every threshold, some a few and some none.
   */
  @Test
  void shouldRaiseExactlyTheAlertsOfTheReference(@TempDir Path dir) throws Exception {
    Path scenario = generate(dir, new GeneratorOptions(15, 4, 2, 13,
        GeneratorOptions.DEFAULT_START.plus(java.time.Duration.ofHours(10)), 4, null));
    ReferenceAlerts.writeCrossingBudgets(scenario);
    addIdleNode(scenario, "node-99");
    // 15 tenants leave usage partition 2 without a tenant and margin partition 2 without a record: the replay must still
    // wait for every margin record (it once read the topic too early when a partition had emitted nothing).
    Path out = replayAndCheck(dir, scenario);

    List<JsonNode> alerts = JsonLines.read(out.resolve("alerts.jsonl"));
    Set<String> expected = ReferenceAlerts.spend(scenario);
    assertEquals(String.join("\n", expected), String.join("\n", ReferenceAlerts.actual(alerts)));
    assertTrue(expected.stream().anyMatch(a -> a.startsWith("FORECAST")) && expected.stream().anyMatch(a -> a.startsWith("THRESHOLD"))
        && expected.size() >= 10, "the scenario must exercise both kinds: " + expected);
    Map<String, BigDecimal> expectedCost = ReferenceAlerts.cost(scenario);
    Map<String, BigDecimal> actualCost = ReferenceAlerts.actualCost(alerts);
    assertEquals(expectedCost.keySet(), actualCost.keySet());
    assertTrue(expectedCost.size() >= 4, "the scenario must cross COST thresholds: " + expectedCost);
    expectedCost.forEach((key, amount) -> ReferenceMargins.assertWithin(amount, actualCost.get(key), new BigDecimal("0.000001"),
        key));
    Set<String> negative = ReferenceAlerts.negativeMargins(JsonLines.read(out.resolve("margins.jsonl")));
    assertEquals(negative, ReferenceAlerts.actualNegativeMargins(alerts));
    assertTrue(!negative.isEmpty(), "the scenario must have tenant-hours that lose money");
    Map<String, BigDecimal> zombies = ReferenceAlerts.zombies(scenario);
    Map<String, JsonNode> actualZombies = new java.util.TreeMap<>();
    for (JsonNode a : alerts) {
      if (a.get("kind").asText().equals("ZOMBIE_NODE")) {
        assertEquals(null, actualZombies.put(a.get("node_id").asText() + "|" + a.get("window_start_ms").asLong(), a), "once");
      }
    }
    assertEquals(zombies.keySet(), actualZombies.keySet());
    assertTrue(zombies.keySet().containsAll(List.of("node-99|" + (GeneratorOptions.DEFAULT_START.toEpochMilli() + 10 * 3_600_000L),
        "node-99|" + (GeneratorOptions.DEFAULT_START.toEpochMilli() + 11 * 3_600_000L))), zombies.toString());
    zombies.forEach((key, nodeCost) -> ReferenceMargins.assertWithin(nodeCost, actualZombies.get(key).get("node_cost_usd").decimalValue(),
        NANO.multiply(BigDecimal.valueOf(60)), key));
    assertEquals(alerts.size(), alerts.stream().map(a -> a.get("alert_id").asText()).distinct().count(), "one id each");
  }

  /**
   * A node that draws 400 W on one GPU every 15 s of the scenario and serves no request: every bucket of it goes to
   * __idle__ (a ZOMBIE_NODE each hour). Its samples are merged into power.csv in time order (rows are produced in file
   * order, so an appended early row would be late).
   */
  private static void addIdleNode(Path scenario, String node) throws Exception {
    List<String> power = Files.readAllLines(scenario.resolve("power.csv"));
    long first = Long.MAX_VALUE;
    long last = Long.MIN_VALUE;
    for (String line : power.subList(1, power.size())) {
      try {
        long ts = Long.parseLong(line.substring(0, line.indexOf(',')));
        first = Math.min(first, ts);
        last = Math.max(last, ts);
      } catch (RuntimeException notARow) {
        // a deliberately broken row stays where it is
      }
    }
    List<String> rows = new java.util.ArrayList<>(power.subList(1, power.size()));
    for (long ts = first / 15_000 * 15_000; ts <= last; ts += 15_000) {
      rows.add(ts + "," + node + ",0,15000,400");
    }
    rows.sort(java.util.Comparator.comparingLong(ReplayIT::leadingTime));
    rows.add(0, power.get(0));
    Files.write(scenario.resolve("power.csv"), rows);
    Files.writeString(scenario.resolve("nodes.csv"), node + ",eu-west,H100-SXM,8,700,300000,4,1.3,2.50\n",
        java.nio.file.StandardOpenOption.APPEND);
  }

  /** The timestamp a power row starts with; a row without one sorts first. */
  private static long leadingTime(String row) {
    try {
      return Long.parseLong(row.substring(0, row.indexOf(',')));
    } catch (RuntimeException notARow) {
      return Long.MIN_VALUE;
    }
  }

  /** Appends a line to a scenario file; returns its 1-based line number. */
  private static int appendRow(Path file, String line) throws Exception {
    Files.writeString(file, line + "\n", java.nio.file.StandardOpenOption.APPEND);
    return Files.readAllLines(file).size();
  }

  /**
   * One tenant: five of the six usage partitions never see an event. Stream time there moves only with the tick
   * records the producer writes to every partition; without them no window would ever close.
   */
  @Test
  void shouldCloseWindowsWhenMostPartitionsHaveNoTraffic(@TempDir Path dir) throws Exception {
    generateAndReplay(dir, new GeneratorOptions(1, 2, 1, 11, GeneratorOptions.DEFAULT_START, 2, null));
  }

  @Test
  void shouldMatchTheReferenceOnTheAzureTrace(@TempDir Path dir) throws Exception {
    Path trace = Path.of("../../shared/data/azure-llm-inference-2023/AzureLLMInferenceTrace_code.csv");
    Assumptions.assumeTrue(Files.exists(trace), "public data not present (a user's clone has no ../shared)");
    generateAndReplay(dir, new GeneratorOptions(10, 4, 1, 3, GeneratorOptions.DEFAULT_START, 1, trace));
  }

  /** Generates a scenario, replays it and checks it against the reference; returns the output folder. */
  private static Path generateAndReplay(Path dir, GeneratorOptions options) throws Exception {
    return replayAndCheck(dir, generate(dir, options));
  }

  private static Path generate(Path dir, GeneratorOptions options) throws Exception {
    Path scenario = dir.resolve("scenario");
    new ScenarioGenerator(options).write(scenario);
    return scenario;
  }

  private static Path replayAndCheck(Path dir, Path scenario) throws Exception {
    Path out = dir.resolve("out");
    Replay.run(scenario, out, Map.of(), System.err);
    ReferenceMargins.assertMatches(scenario, JsonLines.read(out.resolve("margins.jsonl")),
        ReferenceMargins.multipliers(JsonLines.read(out.resolve("price_adjustments.jsonl"))));
    ReferenceMargins.assertRollingDaysAddUpTheirHours(JsonLines.read(out.resolve("margins.jsonl")));
    ReferenceUnitCosts.assertUnitCosts(scenario, JsonLines.read(out.resolve("unit_costs.jsonl")),
        ReferenceMargins.multipliers(JsonLines.read(out.resolve("price_adjustments.jsonl"))));
    assertAdjustmentsWithinTheirBounds(JsonLines.read(out.resolve("price_adjustments.jsonl")), new BigDecimal("0.8"));
    return out;
  }



  /**
   * SPEC 9's bounds on every published adjustment: within [floor, 1.5], at most 0.05 a step (unless up to marginal
   * cost), never under the deadband, effective on a pricing-interval boundary, and each one starting where the previous
   * one of its (model, region) ended.
   */
  static void assertAdjustmentsWithinTheirBounds(List<JsonNode> adjustments, BigDecimal floor) {
    Map<String, BigDecimal> last = new java.util.HashMap<>();
    for (JsonNode a : adjustments) {
      String pair = a.get("model").asText() + "|" + a.get("region").asText();
      BigDecimal previous = a.get("previous_multiplier").decimalValue();
      BigDecimal now = a.get("multiplier").decimalValue();
      assertTrue(now.compareTo(floor) >= 0 && now.compareTo(new BigDecimal("1.5")) <= 0, a.toString());
      BigDecimal step = now.subtract(previous).abs();
      // The marginal-cost law goes to marginal cost at once, further than max-step if need be, and says so.
      boolean toMarginalCost = a.get("reason").asText().contains("below marginal cost") && now.compareTo(previous) > 0;
      assertTrue((toMarginalCost || step.compareTo(new BigDecimal("0.05")) <= 0) && step.compareTo(new BigDecimal("0.01")) >= 0,
          a.toString());
      assertEquals(0, a.get("effective_from_ms").asLong() % 300_000L, a.toString());
      assertEquals(0, last.getOrDefault(pair, BigDecimal.ONE).compareTo(previous), "chained: " + a);
      last.put(pair, now);
    }
  }
}

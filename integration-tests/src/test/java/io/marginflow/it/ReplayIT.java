package io.marginflow.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.marginflow.ops.replay.JsonLines;
import io.marginflow.ops.replay.Replay;
import io.marginflow.ops.scenario.GeneratorOptions;
import io.marginflow.ops.scenario.ScenarioGenerator;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
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
    Path out = generateAndReplay(dir, new GeneratorOptions(20, 8, 2, 7, GeneratorOptions.DEFAULT_START, 5, null));
    List<JsonNode> dlq = JsonLines.read(out.resolve("dlq.jsonl"));
    Set<String> reasons = dlq.stream().map(d -> d.get("reason").asText()).collect(Collectors.toSet());
    assertTrue(reasons.contains("POWER_OUT_OF_RANGE") && reasons.contains("UNPARSEABLE_ROW"), reasons.toString());
    assertTrue(dlq.stream().allMatch(d -> d.has("row") && d.get("row").asInt() > 1), "every dead letter names its line");
    assertTrue(reasons.stream().noneMatch("LATE"::equals), "an in-order scenario has no late rows");
    assertEquals(List.of(), JsonLines.read(out.resolve("price_adjustments.jsonl")));
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
    Path scenario = dir.resolve("scenario");
    new ScenarioGenerator(options).write(scenario);
    Path out = dir.resolve("out");
    Replay.run(scenario, out, Map.of(), System.err);
    assertMatchesReference(scenario, out);
    assertRollingDaysAddUpTheirHours(out);
    return out;
  }

  /** Each 24h record is the sum of the same tenant's 1h records inside it (costs exactly, revenue to rounding). */
  private static void assertRollingDaysAddUpTheirHours(Path out) throws Exception {
    List<JsonNode> all = JsonLines.read(out.resolve("margins.jsonl"));
    int days = 0;
    for (JsonNode day : all) {
      if (!day.get("window").asText().equals("24h")) {
        continue;
      }
      days++;
      long start = day.get("window_start_ms").asLong();
      List<JsonNode> hours = all.stream().filter(h -> h.get("window").asText().equals("1h")
          && h.get("tenant_id").asText().equals(day.get("tenant_id").asText())
          && h.get("window_start_ms").asLong() >= start && h.get("window_start_ms").asLong() < start + 86_400_000L).toList();
      String key = day.get("tenant_id").asText() + "|" + start;
      assertEquals(day.get("requests").asLong(), hours.stream().mapToLong(h -> h.get("requests").asLong()).sum(), key);
      assertEquals(0, day.get("total_cost_usd").decimalValue().compareTo(hours.stream()
          .map(h -> h.get("total_cost_usd").decimalValue()).reduce(BigDecimal.ZERO, BigDecimal::add)), key);
      BigDecimal revenue = hours.stream().map(h -> h.get("revenue_usd").decimalValue()).reduce(BigDecimal.ZERO, BigDecimal::add);
      assertWithin(revenue, day.get("revenue_usd").decimalValue(), NANO.multiply(BigDecimal.valueOf(hours.size())), key);
    }
    assertTrue(days > 0, "24h windows were emitted");
  }

  private static void assertMatchesReference(Path scenario, Path out) throws Exception {
    Map<String, ReferenceMargins.Expected> expected = ReferenceMargins.compute(scenario, System.currentTimeMillis());
    Map<String, JsonNode> actual = new TreeMap<>();
    for (JsonNode m : JsonLines.read(out.resolve("margins.jsonl"))) {
      if (m.get("window").asText().equals("1h")) {
        actual.put(m.get("tenant_id").asText() + "|" + m.get("window_start_ms").asLong(), m);
      }
    }
    assertEquals(expected.keySet(), actual.keySet(), "one 1h record per tenant and hour, idle included");
    expected.forEach((key, e) -> {
      JsonNode a = actual.get(key);
      assertEquals(e.requests, a.get("requests").asLong(), key);
      assertEquals(e.input, a.get("input_tokens").asLong(), key);
      assertEquals(e.cached, a.get("cached_input_tokens").asLong(), key);
      assertEquals(e.output, a.get("output_tokens").asLong(), key);
      assertEquals(e.unpriced, a.get("unpriced_requests").asLong(), key);
      assertEquals(e.revenue.setScale(9, RoundingMode.HALF_EVEN), a.get("revenue_usd").decimalValue().setScale(9), key);
      // Each bucket line's share is within one nano-dollar of its exact value (and the bucket's C is rounded once).
      BigDecimal tolerance = NANO.multiply(BigDecimal.valueOf(2L * e.lines + 1));
      assertWithin(e.totalCost, a.get("total_cost_usd").decimalValue(), tolerance, key + " total cost");
      assertWithin(e.energyCost, a.get("energy_cost_usd").decimalValue(), tolerance, key + " energy cost");
      assertEquals(0, a.get("revenue_usd").decimalValue().subtract(a.get("total_cost_usd").decimalValue())
          .compareTo(a.get("gross_margin_usd").decimalValue()), key + " gross margin");
    });
  }

  private static void assertWithin(BigDecimal expected, BigDecimal actual, BigDecimal tolerance, String what) {
    assertTrue(expected.subtract(actual).abs().compareTo(tolerance) <= 0,
        what + ": expected " + expected + " got " + actual + " (tolerance " + tolerance + ")");
  }
}

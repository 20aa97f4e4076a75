package io.marginflow.it;

import static io.marginflow.it.ReferenceMargins.MC;
import static io.marginflow.it.ReferenceMargins.NANO;
import static io.marginflow.it.ReferenceMargins.assertWithin;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The independent reference of SPEC 9's unit costs per (pricing interval, model, region), from the same buckets. */
final class ReferenceUnitCosts {
  /** SPEC 9's default pricing interval, which the unit costs are summed over. */
  static final long PRICING_INTERVAL = 300_000;

  private ReferenceUnitCosts() {
  }

  /** SPEC 9's unit costs of one (pricing interval, model, region), exact. */
  static final class ExpectedUnitCost {
    long requests;
    long output;
    long tokens;
    long lines;
    BigDecimal revenue = BigDecimal.ZERO;
    BigDecimal cost = BigDecimal.ZERO;
    BigDecimal kwh = BigDecimal.ZERO;
    BigDecimal energyCost = BigDecimal.ZERO;
    BigDecimal work = BigDecimal.ZERO;
  }

  /** One region's pricing interval: {total cost, idle cost} and the sum and count of node buckets' power over TDP. */
  static final class ExpectedRegion {
    BigDecimal total = BigDecimal.ZERO;
    BigDecimal idle = BigDecimal.ZERO;
    double loadSum;
    long loadCount;
  }

  /**
   * SPEC 9: the bucket's cost and energy split among its lines by weight, summed per (interval, model, region); the
   * node's region gets the bucket's cost, its idle part (no weight: all of it) and its load (mean power over TDP).
   */
  static void add(String key, ReferenceMargins.Bucket b, Map<String, ReferenceMargins.Node> nodes,
      Map<String, TreeMap<Long, BigDecimal>> energy, Map<String, ExpectedUnitCost> unitCosts, Map<String, ExpectedRegion> regions) {
    String nodeId = key.substring(0, key.indexOf('|'));
    long start = Long.parseLong(key.substring(key.indexOf('|') + 1));
    ReferenceMargins.Node n = nodes.getOrDefault(nodeId,
        new ReferenceMargins.Node("default", BigDecimal.ONE, BigDecimal.ZERO, BigDecimal.ONE, BigDecimal.ZERO, 0));
    BigDecimal[] cost = ReferenceMargins.cost(b, n, energy, start);
    BigDecimal kwh = cost[0];
    BigDecimal total = cost[2];
    long interval = Math.floorDiv(start, PRICING_INTERVAL) * PRICING_INTERVAL;
    BigDecimal weight = b.weightByLine.values().stream().reduce(BigDecimal.ZERO, BigDecimal::add);
    ExpectedRegion region = regions.computeIfAbsent(interval + "|" + n.region(), k -> new ExpectedRegion());
    region.total = region.total.add(total);
    if (weight.signum() == 0) {
      region.idle = region.idle.add(total);
    }
    if (!b.samples.isEmpty() && n.tdpWatts() > 0) {
      region.loadSum += b.wattsSum / b.samples.size() / n.tdpWatts();
      region.loadCount++;
    }
    b.countsByLine.forEach((line, c) -> {
      String[] parts = line.split("\\|", 3);
      ExpectedUnitCost e = unitCosts.computeIfAbsent(interval + "|" + parts[0] + "|" + parts[1], k -> new ExpectedUnitCost());
      e.requests += c[0];
      e.output += c[1];
      e.tokens += c[2];
      e.lines++;
      e.revenue = e.revenue.add(b.revenueByLine.getOrDefault(line, BigDecimal.ZERO));
      if (weight.signum() > 0) {
        BigDecimal share = b.weightByLine.get(line).divide(weight, MC);
        e.cost = e.cost.add(total.multiply(share));
        e.kwh = e.kwh.add(kwh.multiply(share));
        e.energyCost = e.energyCost.add(cost[1].multiply(share));
        e.work = e.work.add(b.weightByLine.get(line));
      }
    });
  }

  /** Every (interval, model, region) of the reference in {@code unitCosts} (as replay writes them), and no other. */
  static void assertUnitCosts(Path scenario, List<JsonNode> unitCosts,
      io.marginflow.topology.pricing.MultiplierSchedule multipliers) throws IOException {
    ReferenceMargins.Reference ref = ReferenceMargins.computeAll(scenario, System.currentTimeMillis(), multipliers);
    Map<String, JsonNode> actual = new TreeMap<>();
    for (JsonNode c : unitCosts) {
      String key = c.get("interval_start_ms").asLong() + "|" + c.get("model").asText() + "|" + c.get("region").asText();
      assertNull(actual.put(key, c), "one record per interval, model and region: " + key);
    }
    assertEquals(ref.unitCosts().keySet(), actual.keySet(), "one record per (interval, model, region) with requests");
    org.junit.jupiter.api.Assertions.assertFalse(actual.isEmpty(), "the scenario has traffic: unit costs to check");
    System.err.printf("ReferenceUnitCosts: %d unit-cost records equal to the reference%n", actual.size());
    ref.unitCosts().forEach((key, e) -> {
      JsonNode a = actual.get(key);
      assertEquals(e.requests, a.get("requests").asLong(), key);
      assertEquals(e.output, a.get("output_tokens").asLong(), key);
      assertEquals(e.tokens, a.get("total_tokens").asLong(), key);
      assertEquals(e.revenue.setScale(9, RoundingMode.HALF_EVEN), a.get("revenue_usd").decimalValue().setScale(9), key);
      BigDecimal tolerance = NANO.multiply(BigDecimal.valueOf(2L * e.lines + 1));
      assertWithin(e.cost, a.get("cost_usd").decimalValue(), tolerance, key + " cost");
      assertEquals(e.kwh.doubleValue(), a.get("energy_kwh").asDouble(), 1e-9 * Math.max(1, e.kwh.doubleValue()), key + " kWh");
      if (e.output > 0) {
        assertWithin(e.cost.multiply(BigDecimal.valueOf(1_000_000)).divide(BigDecimal.valueOf(e.output), MC),
            a.get("cost_usd_per_1m_output_tokens").decimalValue(),
            tolerance.multiply(BigDecimal.valueOf(1_000_000)).divide(BigDecimal.valueOf(e.output), MC).add(NANO), key);
      }
      if (e.work.signum() > 0) {
        // Marginal cost: the energy part of the cost per weighted token (default weights: input 1, output 4), per 1M.
        BigDecimal perWork = e.energyCost.multiply(BigDecimal.valueOf(1_000_000)).divide(e.work, MC);
        BigDecimal slack = tolerance.multiply(BigDecimal.valueOf(4_000_000)).divide(e.work, MC).add(NANO);
        assertWithin(perWork, a.get("marginal_cost_usd_per_1m_input_tokens").decimalValue(), slack, key + " marginal in");
        assertWithin(perWork.multiply(BigDecimal.valueOf(4)), a.get("marginal_cost_usd_per_1m_output_tokens").decimalValue(),
            slack, key + " marginal out");
      }
      String[] parts = key.split("\\|", 3);
      assertEquals(0, multipliers.at(parts[1], parts[2], Long.parseLong(parts[0])).compareTo(
          a.get("multiplier").decimalValue()), key + " multiplier in force at the interval's start");
      ExpectedRegion r = ref.regions().getOrDefault(parts[0] + "|" + parts[2], new ExpectedRegion());
      double idle = r.total.signum() == 0 ? 0 : r.idle.doubleValue() / r.total.doubleValue();
      assertEquals(idle, a.get("idle_share").asDouble(), 1e-6, key + " idle share");
      assertEquals(r.loadCount == 0 ? 0 : r.loadSum / r.loadCount, a.get("compute_pressure").asDouble(), 1e-9,
          key + " compute pressure");
    });
  }

}

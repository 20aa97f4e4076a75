package io.marginflow.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.marginflow.ops.backtest.Backtest;
import io.marginflow.ops.backtest.BacktestPolicy;
import io.marginflow.ops.backtest.BacktestReport;
import io.marginflow.ops.backtest.DemandModel;
import io.marginflow.ops.backtest.PolicyOutcome;
import io.marginflow.ops.replay.JsonLines;
import io.marginflow.ops.scenario.GeneratorOptions;
import io.marginflow.ops.scenario.ScenarioGenerator;
import io.marginflow.topology.pricing.MultiplierSchedule;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A backtest where demand answers prices: nine requests in ten run in eu-west, us-east's GPUs stand mostly idle, and a
 * fixed policy halves us-east's price. Under elasticity -1 with full substitution, half of eu-west's requests move
 * to us-east once the cut is in force, and each doubles there (0.5^-1 = 2): us-east serves more, eu-west fewer, the
 * GPUs draw more power for the added work, and less of their cost is idle. Every pass's margins match the reference at the
 * multipliers it published, and each pass's requests per region match a small calculation here from the recorded
 * requests and the multipliers the pass answered.
 */
class DemandBacktestIT {
  static final String BUSY = "eu-west";
  static final String CHEAP = "us-east";
  private static final BigDecimal HALF = new BigDecimal("0.5");

  @Test
  void shouldServeMoreWhereItIsCheaperAndReachAFixedPoint(@TempDir Path dir) throws Exception {
    Path scenario = dir.resolve("scenario");
    new ScenarioGenerator(new GeneratorOptions(6, 4, 2, 11, GeneratorOptions.DEFAULT_START, 3, null)).write(scenario);
    mostlyInOneRegion(scenario);
    Path list = Files.writeString(dir.resolve("list-price.properties"), "pricing.dynamic.enabled=false\n");
    Path half = Files.writeString(dir.resolve("half-us-east.properties"), "pricing.floor=0.5\n"
        + "pricing.fixed-multipliers=" + BUSY + "=1," + CHEAP + "=0.5\n");
    DemandModel elastic = new DemandModel(new BigDecimal("-1"), BigDecimal.ONE);
    Path out = dir.resolve("report");
    List<PolicyOutcome> outcomes = Backtest.run(scenario, BacktestPolicy.read(List.of(list, half)),
        List.of(DemandModel.FIXED, elastic), 4, Backtest.DEFAULT_TOLERANCE, out, System.err);
    new BacktestReport(outcomes).write(out);
    PolicyOutcome fixedHalf = outcomes.get(1);
    PolicyOutcome elasticList = outcomes.get(2);
    PolicyOutcome elasticHalf = outcomes.get(3);

    // Elasticity 0 is today's backtest: the recorded scenario once per policy, exact at the multipliers published.
    ReferenceMargins.assertMatches(scenario, JsonLines.read(out.resolve("half-us-east/e0/margins.jsonl")),
        ReferenceMargins.multipliers(JsonLines.read(out.resolve("half-us-east/e0/price_adjustments.jsonl"))));
    assertEquals(1, fixedHalf.demand().passes().size());
    assertTrue(fixedHalf.adjustments().stream().allMatch(a -> a.region().equals(CHEAP) && a.multiplier().compareTo(HALF) == 0),
        "the fixed policy publishes us-east at 0.5 and leaves eu-west at 1: " + fixedHalf.adjustments());
    assertTrue(!fixedHalf.adjustments().isEmpty());
    // List prices never move, so demand does not either: one pass, the same figures as at elasticity 0.
    assertEquals(1, elasticList.demand().passes().size());
    assertEquals(outcomes.get(0).total(), elasticList.total());

    assertTrue(elasticHalf.demand().converged() && elasticHalf.demand().passes().size() >= 2, elasticHalf.demand().toString());
    Path previous = out.resolve("half-us-east/e0");
    for (int pass = 2; pass <= elasticHalf.demand().passes().size(); pass++) {
      Path passDir = out.resolve("half-us-east/e-1_s1/pass-" + pass);
      MultiplierSchedule answered = ReferenceMargins.multipliers(JsonLines.read(previous.resolve("price_adjustments.jsonl")));
      ReferenceMargins.assertMatches(passDir.resolve("scenario"), JsonLines.read(passDir.resolve("margins.jsonl")),
          ReferenceMargins.multipliers(JsonLines.read(passDir.resolve("price_adjustments.jsonl"))));
      assertEquals(expectedPerRegion(scenario, answered, elastic), perRegion(passDir.resolve("scenario")),
          "pass " + pass + ": the requests demand draws at the multipliers of the pass before");
      previous = passDir;
    }

    Map<String, Long> before = perRegion(scenario);
    Map<String, Long> after = perRegion(previous.resolve("scenario"));
    System.err.printf("DemandBacktestIT requests per region: recorded %s, at half price in us-east under e=-1: %s%n",
        before, after);
    assertTrue(after.get(CHEAP) > before.get(CHEAP) && after.get(BUSY) < before.get(BUSY), before + " -> " + after);
    assertEquals(after.values().stream().mapToLong(Long::longValue).sum(), elasticHalf.total().requests());
    // Revenue: each served request's list revenue times the multiplier of its (model, region) at its time.
    MultiplierSchedule last = ReferenceMargins.multipliers(JsonLines.read(previous.resolve("price_adjustments.jsonl")));
    BigDecimal revenue = BigDecimal.ZERO;
    for (ReferenceMargins.Request r : ReferenceMargins.accepted(previous.resolve("scenario"), System.currentTimeMillis())) {
      revenue = r.revenue() == null ? revenue : revenue.add(r.revenue().multiply(last.at(r.model(), r.region(), r.ts())));
    }
    ReferenceMargins.assertWithin(revenue, elasticHalf.total().revenueUsd(), new BigDecimal("0.000001"), "revenue");
    // The GPUs draw power for the work they serve (PowerShift; each pass's cost is checked exactly above): half again as
    // much work costs more energy, and less of the fleet's cost is idle.
    assertTrue(elasticHalf.total().costUsd().compareTo(fixedHalf.total().costUsd()) > 0, "more work, more energy");
    assertTrue(elasticHalf.idleCostUsd().compareTo(fixedHalf.idleCostUsd()) < 0, "less of it idle");
    assertTrue(elasticHalf.gpuUtilization().compareTo(fixedHalf.gpuUtilization()) > 0, "GPU use up");
    assertEquals(5, Files.readAllLines(out.resolve("policies.csv")).size(), "a line per policy and elasticity");
  }

  /** The accepted requests of {@code scenario}'s usage, per region. */
  static Map<String, Long> perRegion(Path scenario) throws Exception {
    Map<String, Long> out = new TreeMap<>();
    for (ReferenceMargins.Request r : ReferenceMargins.accepted(scenario, System.currentTimeMillis())) {
      out.merge(r.region(), 1L, Long::sum);
    }
    return out;
  }

  /**
   * The rule, from the recorded requests: a request in a region dearer than the other moves there with probability
   * s (1 - cheaper / dearer), then counts m^e times (whole part, plus one more with the fraction's probability).
   */
  private static Map<String, Long> expectedPerRegion(Path scenario, MultiplierSchedule m, DemandModel d) throws Exception {
    Map<String, Long> out = new TreeMap<>();
    for (ReferenceMargins.Request r : ReferenceMargins.accepted(scenario, System.currentTimeMillis())) {
      String region = r.region();
      String other = region.equals(BUSY) ? CHEAP : BUSY;
      BigDecimal here = m.at(r.model(), region, r.ts());
      BigDecimal there = m.at(r.model(), other, r.ts());
      if (there.compareTo(here) < 0
          && DemandModel.uniform(r.eventId(), "move") < (1 - there.doubleValue() / here.doubleValue())) {
        region = other;
        here = there;
      }
      double factor = Math.pow(here.doubleValue(), -1);
      out.merge(region, (long) DemandModel.copies(factor, DemandModel.uniform(r.eventId(), "demand")), Long::sum);
    }
    out.values().removeIf(v -> v == 0);
    return out;
  }

  /**
   * Nine requests in ten to eu-west's first node, the rest to us-east's first: the other node of each region (the
   * generator's four nodes alternate regions) serves nothing, us-east's GPUs mostly idle.
   */
  static void mostlyInOneRegion(Path scenario) throws Exception {
    Map<String, String> firstNode = new TreeMap<>();
    List<String> nodes = Files.readAllLines(scenario.resolve("nodes.csv"));
    for (String line : nodes.subList(1, nodes.size())) {
      String[] f = line.split(",");
      firstNode.putIfAbsent(f[1], f[0]);
    }
    List<String> usage = new ArrayList<>();
    for (String line : Files.readAllLines(scenario.resolve("usage.csv"))) {
      String[] f = line.split(",", -1);
      if (f.length == 9 && !f[0].equals("event_id")) {
        String region = DemandModel.uniform(f[0], "it-region") < 0.1 ? CHEAP : BUSY;
        f[4] = region;
        f[5] = firstNode.get(region);
        line = String.join(",", f);
      }
      usage.add(line);
    }
    Files.write(scenario.resolve("usage.csv"), usage);
  }
}

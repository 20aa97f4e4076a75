package io.marginflow.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.marginflow.ops.backtest.Backtest;
import io.marginflow.ops.backtest.BacktestPolicy;
import io.marginflow.ops.backtest.DemandModel;
import io.marginflow.ops.backtest.PolicyOutcome;
import io.marginflow.ops.replay.JsonLines;
import io.marginflow.ops.scenario.GeneratorOptions;
import io.marginflow.ops.scenario.ScenarioGenerator;
import io.marginflow.topology.pricing.MultiplierSchedule;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The default loop against list prices where it matters: nine requests in ten run in eu-west, us-east's GPUs stand
 * mostly idle, and for the second of three hours eu-west's energy costs twenty times as much (2.00 USD/kWh instead of
 * 0.10, a price spike). Under elasticity -1 (half of a price gap's worth of requests moving to the cheaper region) the
 * loop keeps more gross margin than list prices and puts us-east's idle GPUs to work; with demand that does not answer
 * prices (elasticity 0) it earns at least list revenue. Every pass's margins match the reference at the multipliers it
 * published, and its revenue is each served request's list revenue times the multiplier in force for it.
 */
class MarginalCostBacktestIT {
  private static final long HOUR = 3_600_000L;
  private static final DemandModel RIGID = new DemandModel(BigDecimal.ZERO, new BigDecimal("0.5"));
  private static final DemandModel ELASTIC = new DemandModel(new BigDecimal("-1"), new BigDecimal("0.5"));

  @Test
  void shouldKeepMoreThanListPricesAndFillIdleGpusWhenEnergySpikes(@TempDir Path dir) throws Exception {
    Path scenario = dir.resolve("scenario");
    long start = GeneratorOptions.DEFAULT_START.toEpochMilli();
    new ScenarioGenerator(new GeneratorOptions(6, 4, 3, 11, GeneratorOptions.DEFAULT_START, 3, null)).write(scenario);
    DemandBacktestIT.mostlyInOneRegion(scenario);
    Files.writeString(scenario.resolve("energy_prices.csv"), "region,effective_from_ms,usd_per_kwh\n"
        + DemandBacktestIT.BUSY + "," + (start - HOUR) + ",0.10\n" + DemandBacktestIT.BUSY + "," + (start + HOUR) + ",2.00\n"
        + DemandBacktestIT.BUSY + "," + (start + 2 * HOUR) + ",0.10\n" + DemandBacktestIT.CHEAP + "," + (start - HOUR)
        + ",0.10\n");
    Path list = Files.writeString(dir.resolve("list-price.properties"), "pricing.dynamic.enabled=false\n");
    Path loop = Files.writeString(dir.resolve("default.properties"), "# the default control law and bounds\n");
    Path out = dir.resolve("report");
    List<PolicyOutcome> outcomes = Backtest.run(scenario, BacktestPolicy.read(List.of(list, loop)), List.of(RIGID, ELASTIC),
        4, Backtest.DEFAULT_TOLERANCE, out, System.err);
    PolicyOutcome rigidList = outcomes.get(0);
    PolicyOutcome rigidLoop = outcomes.get(1);
    PolicyOutcome elasticList = outcomes.get(2);
    PolicyOutcome elasticLoop = outcomes.get(3);
    for (PolicyOutcome o : outcomes) {
      System.err.printf("MarginalCostBacktestIT %s %s: %s, idle %s, GPU use %s, multipliers %s..%s%n", o.policy(),
          o.demand().model().label(), o.total(), o.idleCostUsd(), o.gpuUtilization(), o.minMultiplier(), o.maxMultiplier());
    }

    // Every replay of the loop (pass 1 replays the recorded requests and is shared by both elasticities).
    Path elasticLast = null;
    for (PolicyOutcome o : List.of(rigidLoop, elasticLoop)) {
      Path demandDir = out.resolve(o == rigidLoop ? "default/e0_s0.5" : "default/e-1_s0.5");
      for (int pass = o == rigidLoop ? 1 : 2; pass <= o.demand().passes().size(); pass++) {
        Path passDir = demandDir.resolve("pass-" + pass);
        Path files = pass == 1 ? scenario : passDir.resolve("scenario");
        MultiplierSchedule published = ReferenceMargins.multipliers(JsonLines.read(passDir.resolve("price_adjustments.jsonl")));
        ReferenceMargins.assertMatches(files, JsonLines.read(passDir.resolve("margins.jsonl")), published);
        ReferenceUnitCosts.assertUnitCosts(files, JsonLines.read(passDir.resolve("unit_costs.jsonl")), published);
        if (pass == o.demand().passes().size()) {
          assertRevenueIsListTimesMultiplier(files, published, o);
        }
      }
      elasticLast = demandDir.resolve("pass-" + o.demand().passes().size());
    }
    assertTrue(elasticLoop.demand().passes().size() >= 2, "prices moved, so demand did: " + elasticLoop.demand());

    // Demand that does not answer prices: at least list revenue (the loop raises eu-west while energy is dear).
    assertTrue(rigidLoop.total().revenueUsd().compareTo(rigidList.total().revenueUsd()) >= 0,
        "e=0: " + rigidLoop.total() + " against list " + rigidList.total());
    assertTrue(rigidLoop.maxMultiplier().compareTo(BigDecimal.ONE) > 0, "eu-west's price rose with its energy");
    // Demand that answers: more gross margin than list prices, and us-east's idle GPUs serve the requests that move.
    assertEquals(rigidList.total(), elasticList.total(), "list prices never move, so neither does demand");
    assertTrue(elasticLoop.total().marginUsd().compareTo(elasticList.total().marginUsd()) > 0,
        "e=-1: margin " + elasticLoop.total().marginUsd() + " against list " + elasticList.total().marginUsd());
    Map<String, Long> recorded = DemandBacktestIT.perRegion(scenario);
    Map<String, Long> served = DemandBacktestIT.perRegion(elasticLast.resolve("scenario"));
    assertTrue(served.get(DemandBacktestIT.CHEAP) > recorded.get(DemandBacktestIT.CHEAP), recorded + " -> " + served);
    assertTrue(elasticLoop.idleCostUsd().compareTo(elasticList.idleCostUsd()) < 0, "less of the fleet's cost idle");
    assertTrue(elasticLoop.gpuUtilization().compareTo(elasticList.gpuUtilization()) > 0, "GPU use up");
  }

  /** Revenue: each served request's list revenue times the multiplier of its (model, region) at its time. */
  private static void assertRevenueIsListTimesMultiplier(Path files, MultiplierSchedule m, PolicyOutcome o) throws Exception {
    BigDecimal revenue = BigDecimal.ZERO;
    for (ReferenceMargins.Request r : ReferenceMargins.accepted(files, System.currentTimeMillis())) {
      revenue = r.revenue() == null ? revenue : revenue.add(r.revenue().multiply(m.at(r.model(), r.region(), r.ts())));
    }
    ReferenceMargins.assertWithin(revenue, o.total().revenueUsd(), new BigDecimal("0.000001"), "revenue");
  }
}

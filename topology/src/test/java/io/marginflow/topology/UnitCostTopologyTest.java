package io.marginflow.topology;

import static io.marginflow.topology.TopologyFixture.H;
import static io.marginflow.topology.TopologyFixture.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.marginflow.avro.ModelRegionCost;
import java.math.BigDecimal;
import java.util.List;
import org.apache.kafka.streams.KeyValue;
import org.junit.jupiter.api.Test;

/**
 * The unit-cost signal on costs.model-region.v1 (SPEC 9), on the real topology. By hand (as in CostBudgetTopologyTest):
 * a bucket of a node drawing 500 W on one GPU costs C = 0.161496996 USD and uses 500 W x 60 s x PUE 1.2 = 0.01 kWh.
 * Node n1 serves tenant A one request a minute for three minutes (1,000 input and 100 output tokens of model m at 2
 * and 10 USD per 1M: 0.003 USD each), so model m in eu-west costs 3C = 0.484490988 USD and earns 0.009 USD over
 * 300 output and 3,300 total tokens. Node n2, same region and power, serves nobody: its 3C goes to __idle__, half of the
 * region's cost. Every node bucket runs at 500 / 700 W of TDP.
 */
class UnitCostTopologyTest {

  @Test
  void shouldPublishEachIntervalsUnitCostsOncePerModelAndRegion() {
    try (TopologyFixture f = new TopologyFixture()) {
      f.node("n1", "eu-west", "250000", 4, 1.2, "2.50");
      f.node("n2", "eu-west", "250000", 4, 1.2, "2.50");
      f.price("m", "2", "1", "10");
      for (int minute = 0; minute < 3; minute++) {
        long bucket = H + minute * 60_000L;
        for (int s = 0; s < 4; s++) {
          f.watts("n1", "0", bucket + s * 15_000L, 15_000, 500);
          f.watts("n2", "0", bucket + s * 15_000L, 15_000, 500);
        }
        f.send(request("a" + minute, bucket + 1_000, "A", "m", "n1", 1000, 0, 100));
      }
      f.tick(H + 4 * 60_000L);
      assertTrue(f.unitCosts.isEmpty(), "the interval [H, H+5m) is not final yet");
      f.closeEverythingAfter(H + 3 * 60_000L);
      List<KeyValue<String, ModelRegionCost>> out = f.unitCosts.readKeyValuesToList();
      assertEquals(1, out.size(), out.toString());
      assertEquals("m|eu-west", out.get(0).key);
      ModelRegionCost c = out.get(0).value;
      assertEquals(H, c.getIntervalStartMs().toEpochMilli());
      assertEquals(H + 300_000L, c.getIntervalEndMs().toEpochMilli());
      assertEquals(3, c.getRequests());
      assertEquals(300, c.getOutputTokens());
      assertEquals(3_300, c.getTotalTokens());
      assertEquals(new BigDecimal("0.009000000"), c.getRevenueUsd());
      assertEquals(new BigDecimal("0.484490988"), c.getCostUsd());
      assertEquals(0.03, c.getEnergyKwh(), 1e-12);
      assertEquals(new BigDecimal("1614.969960000"), c.getCostUsdPer1mOutputTokens(), "0.484490988 x 1e6 / 300");
      assertEquals(new BigDecimal("146.815450909"), c.getCostUsdPer1mTokens(), "0.484490988 x 1e6 / 3,300");
      assertEquals(new BigDecimal("30.000000000"), c.getRevenueUsdPer1mOutputTokens());
      assertEquals(new BigDecimal("2.727272727"), c.getRevenueUsdPer1mTokens());
      assertEquals(100.0, c.getKwhPer1mOutputTokens(), 1e-9);
      assertEquals(30_000.0 / 3_300, c.getKwhPer1mTokens(), 1e-9);
      assertEquals(0.5, c.getIdleShare(), 1e-12, "n2's 3C of the region's 6C");
      assertEquals(500.0 / 700, c.getComputePressure(), 1e-12);
      assertEquals(new BigDecimal("1.000000000"), c.getMultiplier());
    }
  }
}

package io.marginflow.topology;

import static io.marginflow.topology.TopologyFixture.H;
import static io.marginflow.topology.TopologyFixture.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.marginflow.avro.internal.CostSlice;
import io.marginflow.avro.internal.MarginInput;
import io.marginflow.topology.config.TopologyConfig;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

/**
 * SPEC 3's two-level split: the usage task sends its per-(bucket, node) load, the node task sends
 * the bucket's cost back as the usage partition's slice on the cost-slices topic, then its progress mark.
 */
class TwoLevelSplitTopologyTest {

  @Test
  void shouldSendTheUsagePartitionItsSliceOfEachFinalizedBucket() {
    TopologyConfig config = TopologyConfig.with(Map.of("pricing.dynamic.enabled", "false"), 1);
    try (TopologyFixture f = new TopologyFixture(config)) {
      // Fixed cost 0.6 USD/h = 0.01 per 60 s bucket; 600 W for 60 s = 0.01 kWh at the default 0.10 USD/kWh = 0.001.
      f.node("n1", "r0", "0", 3, 1.0, "0.6");
      f.send(request("a", H + 1_000, "A", "m", "n1", 1000, 0, 0)); // w = 1000
      f.send(request("b", H + 2_000, "B", "m", "n1", 100, 100, 225)); // w = 100 x 0.1 + 225 x 4 = 910
      f.send(request("c", H + 3_000, "C", "m", "n1", 0, 0, 0)); // w = 0: counted, costs nothing
      f.watts("n1", "0", H, 60_000, 600);
      f.tick(H + 60_000 + config.graceMs() + 1);
      List<MarginInput> out = f.driver.createOutputTopic("marginflow.cost-slices.v1", new StringDeserializer(),
          f.serdes.value(MarginInput.class).deserializer()).readValuesToList();
      List<CostSlice> slices = out.stream().filter(m -> m.getSlice() != null).map(MarginInput::getSlice).toList();
      assertEquals(1, slices.size(), "one usage partition, one node bucket: " + out);
      CostSlice s = slices.get(0);
      assertEquals(0, s.getPartition());
      assertEquals("n1", s.getNodeId());
      assertEquals("r0", s.getNodeRegion());
      assertFalse(s.getIdle());
      assertEquals(new BigDecimal("0.011000000"), s.getTotalCostUsd());
      assertEquals(new BigDecimal("0.001000000"), s.getEnergyCostUsd());
      assertEquals(0, new BigDecimal("1910").compareTo(s.getNodeWeight()));
      assertEquals(0, new BigDecimal("1910").compareTo(s.getPartitionWeight()));
      assertEquals(0, new BigDecimal("0.01").compareTo(s.getNodeEnergyKwh()));
      MarginInput last = out.get(out.size() - 1);
      assertNotNull(last.getProgress(), "the progress mark follows the slices");
      assertTrue(last.getProgress().getFinalizedThroughMs() >= H + 60_000);
    }
  }
}

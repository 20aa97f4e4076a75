package io.marginflow.topology;

import static io.marginflow.topology.TopologyFixture.H;
import static io.marginflow.topology.TopologyFixture.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.marginflow.avro.ModelRegionCost;
import io.marginflow.avro.TenantMargin;
import io.marginflow.avro.internal.CostSlice;
import io.marginflow.avro.internal.MarginInput;
import io.marginflow.topology.config.MarginflowConfig;
import io.marginflow.topology.config.TopologyConfig;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

/**
 * attribution.split=two-level, step 1 ([19/26]): the usage task sends its per-(bucket, node) load, the node task sends
 * the bucket's cost back as the usage partition's slice on the cost-slices topic, then its progress mark.
 */
class TwoLevelSplitTopologyTest {

  @Test
  void shouldSendTheUsagePartitionItsSliceOfEachFinalizedBucket() {
    TopologyConfig config = TopologyConfig.with(Map.of("attribution.split", "two-level", "pricing.dynamic.enabled", "false"), 1);
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

  /**
   * One usage partition: the two levels give each line the one-level split's figures (the first level hands the
   * partition all of C), so every margin equals the node split's, to the nano-dollar, idle included; and pricing's
   * unit costs per (model, region), now summed from the usage partition's slices, equal the node task's; with dynamic
   * pricing on, so do the price adjustments, and the multiplier each line's revenue gets in the usage task.
   */
  @org.junit.jupiter.params.ParameterizedTest(name = "dynamic pricing {0}")
  @org.junit.jupiter.params.provider.ValueSource(booleans = {false, true})
  void shouldGiveTheNodeSplitsMarginsOnOnePartition(boolean pricing) {
    List<ModelRegionCost> nodeCosts = new java.util.ArrayList<>();
    List<ModelRegionCost> twoLevelCosts = new java.util.ArrayList<>();
    List<String> nodeAdjustments = new java.util.ArrayList<>();
    List<String> twoLevelAdjustments = new java.util.ArrayList<>();
    List<TenantMargin> node = run(TopologyConfig.with(Map.of("pricing.dynamic.enabled", Boolean.toString(pricing),
        "attribution.split", "node"), 1), nodeCosts, nodeAdjustments);
    List<TenantMargin> twoLevel = run(TopologyConfig.with(Map.of("pricing.dynamic.enabled", Boolean.toString(pricing),
        "attribution.split", "two-level"), 1), twoLevelCosts, twoLevelAdjustments);
    assertEquals(pricing, !nodeAdjustments.isEmpty(), "the scenario is repriced with dynamic pricing on: " + nodeAdjustments);
    assertEquals(nodeAdjustments, twoLevelAdjustments, "the same price adjustments");
    assertTrue(nodeCosts.size() >= 8, "unit costs per (model, region) and interval: " + nodeCosts.size());
    // kWh crosses in the slice at 1e-18: the kWh figures (doubles) agree to 12 significant digits, the rest exactly.
    assertEquals(nodeCosts.stream().map(TwoLevelSplitTopologyTest::kwhTo12Digits).sorted().toList(),
        twoLevelCosts.stream().map(TwoLevelSplitTopologyTest::kwhTo12Digits).sorted().toList(),
        "the same unit costs for pricing's readers");
    assertTrue(node.size() > 10, "a scenario with many windows: " + node.size());
    assertTrue(node.stream().anyMatch(m -> m.getTenantId().equals("__idle__")), "idle buckets in the scenario");
    assertEquals(node.size(), twoLevel.size());
    java.util.Comparator<TenantMargin> order = java.util.Comparator.comparing(TenantMargin::getTenantId)
        .thenComparing(TenantMargin::getWindow).thenComparing(m -> m.getWindowStartMs());
    List<TenantMargin> a = node.stream().sorted(order).toList();
    List<TenantMargin> b = twoLevel.stream().sorted(order).toList();
    for (int i = 0; i < a.size(); i++) {
      // kWh crosses in the slice at 1e-18 (the node's exact kWh over W, then the line's w): within 1e-15 of one level.
      assertTrue(Math.abs(a.get(i).getEnergyKwh() - b.get(i).getEnergyKwh()) <= 1e-15, a.get(i) + " against " + b.get(i));
      assertEquals(withoutKwh(a.get(i)), withoutKwh(b.get(i)));
    }
  }

  private static String kwhTo12Digits(ModelRegionCost c) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\"[a-z_0-9]*kwh[a-z_0-9]*\": )([0-9.Ee+-]+)")
        .matcher(c.toString());
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      m.appendReplacement(out, m.group(1) + new BigDecimal(m.group(2)).round(new java.math.MathContext(12)).toPlainString());
    }
    return m.appendTail(out).toString();
  }

  private static String withoutKwh(TenantMargin m) {
    return TenantMargin.newBuilder(m).setEnergyKwh(0.0).build().toString();
  }

  /** Random traffic of 8 tenants on 3 nodes over 40 minutes, with idle buckets, then every window closed. */
  private static List<TenantMargin> run(TopologyConfig config, List<ModelRegionCost> unitCosts, List<String> adjustments) {
    try (TopologyFixture f = new TopologyFixture(config)) {
      java.util.Random rng = new java.util.Random(11);
      for (int n = 0; n < 3; n++) {
        f.node("n" + n, "r" + (n % 2), Integer.toString(100_000 + rng.nextInt(200_000)), 3, 1.1 + n / 10.0, "1.25");
      }
      f.price("m", "0.50", "0.10", "1.50");
      f.price("m2", "3.00", "0.30", "15.00");
      for (long minute = 0; minute < 40; minute++) {
        for (int n = 0; n < 3; n++) {
          f.watts("n" + n, "0", H + minute * 60_000, 60_000, 300 + rng.nextInt(400));
        }
        if (minute % 10 == 7) {
          // A minute without weight: every node's bucket goes to __idle__, one beside a request of no tokens.
          f.send(request("z" + minute, H + minute * 60_000 + 5_000, "t0", "m", "n1", 0, 0, 0));
          continue;
        }
        for (int i = 0; i < 4; i++) {
          long in = rng.nextInt(4000);
          f.send(request("e" + minute + "-" + i, H + minute * 60_000 + rng.nextInt(60_000), "t" + rng.nextInt(8),
              rng.nextBoolean() ? "m" : "m2", "n" + rng.nextInt(3), in, rng.nextInt((int) in + 1), rng.nextInt(900)));
        }
      }
      f.closeEverythingAfter(H + 40 * 60_000);
      unitCosts.addAll(f.unitCosts.readValuesToList());
      f.adjustments.readValuesToList().forEach(a -> adjustments.add(a.toString()));
      return f.margins.readValuesToList();
    }
  }

  @Test
  void shouldDefaultToTwoLevelAndRefuseAnUnknownSplit() {
    assertTrue(TopologyConfig.with(Map.of(), 1).twoLevelSplit(), "two-level is the default");
    ConfigException unknown = assertThrows(ConfigException.class,
        () -> MarginflowConfig.of(Map.of(MarginflowConfig.SPLIT, "tenant")));
    assertTrue(unknown.getMessage().contains("attribution.split"), unknown.getMessage());
  }
}

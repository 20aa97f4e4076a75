package io.marginflow.topology;

import static io.marginflow.topology.TopologyFixture.H;
import static io.marginflow.topology.TopologyFixture.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.marginflow.avro.TenantMargin;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class MarginflowTopologyTest {

  @Test
  void shouldMatchTheReviewedTopologyDescription() throws IOException {
    try (TopologyFixture f = new TopologyFixture()) {
      String actual = MarginflowTopology.build(f.config, f.serdes).describe().toString();
      Path golden = Path.of("src/test/resources/topology-description.txt");
      if (Boolean.getBoolean("golden.update")) {
        Files.writeString(golden, actual);
      }
      assertEquals(Files.readString(golden), actual, "topology changed: review, then rerun with -Dgolden.update=true");
    }
  }

  /**
   * One node, one bucket, two tenants, worked by hand:
   * power 2 GPUs x 4 samples x 15 s x 500 W = 60,000 J; x PUE 1.25 = 75,000 J = 0.0208333 kWh; x 0.12 = 0.0025 USD.
   * Fixed: 262,980 USD / (3 y x 8766 h) = 10 USD/h, + 2 USD/h overhead = 12 USD/h, x 60 s = 0.2 USD. C = 0.2025.
   * Weights: A = 800 + 200 x 0.1 + 100 x 4 = 1220; B = 500 + 500 x 4 = 2500; W = 3720.
   */
  @Test
  void shouldAttributeABucketByWeightAndComputeMarginsByHand() {
    try (TopologyFixture f = new TopologyFixture()) {
      f.node("n1", "eu-west", "262980", 3, 1.25, "2");
      f.price("m", "3.00", "0.30", "15.00");
      f.energyPrice("eu-west", H - TopologyFixture.HOUR, "0.12");
      for (String gpu : List.of("0", "1")) {
        for (int i = 0; i < 4; i++) {
          f.watts("n1", gpu, H + i * 15_000L, 15_000, 500.0);
        }
      }
      f.send(request("a1", H + 1_000, "A", "m", "n1", 1000, 200, 100));
      f.send(request("b1", H + 2_000, "B", "m", "n1", 500, 0, 500));
      f.closeEverythingAfter(H);

      Map<String, TenantMargin> hour = f.margins("1h").stream().collect(Collectors.toMap(TenantMargin::getTenantId, m -> m));
      assertEquals(2, hour.size(), hour.toString());
      // C = 202,500,000 nanos: A gets floor(202500000 x 1220 / 3720) = 66,411,290 (remainder .32),
      // B gets 136,088,709 (.68) plus the one nano left over.
      TenantMargin a = hour.get("A");
      TenantMargin b = hour.get("B");
      assertEquals(new BigDecimal("0.066411290"), a.getTotalCostUsd());
      assertEquals(new BigDecimal("0.136088710"), b.getTotalCostUsd());
      // Energy 2,500,000 nanos: A 819,892 (.47), B 1,680,107 (.53) + 1.
      assertEquals(new BigDecimal("0.000819892"), a.getEnergyCostUsd());
      assertEquals(new BigDecimal("0.001680108"), b.getEnergyCostUsd());
      assertEquals(new BigDecimal("0.065591398"), a.getFixedCostUsd());
      // Revenue A: (800 x 3 + 200 x 0.3 + 100 x 15) / 1e6 = 0.00396; B: (500 x 3 + 500 x 15) / 1e6 = 0.009.
      assertEquals(new BigDecimal("0.003960000"), a.getRevenueUsd());
      assertEquals(new BigDecimal("0.009000000"), b.getRevenueUsd());
      assertEquals(new BigDecimal("-0.062451290"), a.getGrossMarginUsd());
      BigDecimal ratio = new BigDecimal("-0.062451290").divide(new BigDecimal("0.00396"), MathContext.DECIMAL128)
          .setScale(9, RoundingMode.HALF_EVEN);
      assertEquals(ratio, a.getMarginRatio());
      assertEquals(75_000.0 / 3.6e6 * 1220 / 3720, a.getEnergyKwh(), 1e-12);
      assertEquals(1, a.getRequests());
      assertEquals(1000, a.getInputTokens());
      assertEquals(200, a.getCachedInputTokens());
      assertEquals(100, a.getOutputTokens());
      assertEquals(H, a.getWindowStartMs().toEpochMilli());
      assertEquals(H + TopologyFixture.HOUR, a.getWindowEndMs().toEpochMilli());
    }
  }

  @Test
  void shouldGiveAnIdleBucketToTheIdlePseudoTenant() {
    try (TopologyFixture f = new TopologyFixture()) {
      f.node("n1", "eu-west", "262980", 3, 1.0, "2");
      f.watts("n1", "0", H, 60_000, 360.0);
      f.closeEverythingAfter(H);
      List<TenantMargin> hour = f.margins("1h");
      assertEquals(1, hour.size());
      TenantMargin idle = hour.get(0);
      assertEquals("__idle__", idle.getTenantId());
      // 360 W x 60 s = 21,600 J = 0.006 kWh x default 0.10 USD/kWh = 0.0006; fixed 12 USD/h x 1 min = 0.2.
      assertEquals(new BigDecimal("0.000600000"), idle.getEnergyCostUsd());
      assertEquals(new BigDecimal("0.200600000"), idle.getTotalCostUsd());
      assertNull(idle.getMarginRatio());
    }
  }
}

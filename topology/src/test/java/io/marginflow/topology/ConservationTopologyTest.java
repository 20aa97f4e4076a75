package io.marginflow.topology;

import static io.marginflow.topology.TopologyFixture.H;
import static io.marginflow.topology.TopologyFixture.request;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.marginflow.avro.TenantMargin;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Property: over random traffic, the tenants' costs (idle included) add up exactly to the nodes' bucket costs. */
class ConservationTopologyTest {
  private static final MathContext MC = MathContext.DECIMAL128;

  @Test
  void shouldConserveEveryBucketsCostOverRandomTraffic() {
    for (long seed = 1; seed <= 4; seed++) {
      Random rng = new Random(seed);
      try (TopologyFixture f = new TopologyFixture()) {
        Map<String, BigDecimal[]> nodes = new HashMap<>();
        for (int n = 0; n < 3; n++) {
          String hw = Integer.toString(100_000 + rng.nextInt(300_000));
          double pue = 1 + rng.nextInt(60) / 100.0;
          String overhead = (1 + rng.nextInt(400)) / 100.0 + "";
          f.node("n" + n, "r" + (n % 2), hw, 3, pue, overhead);
          nodes.put("n" + n, new BigDecimal[] {new BigDecimal(hw), BigDecimal.valueOf(pue), new BigDecimal(overhead)});
        }
        f.energyPrice("r0", H - 3_600_000, "0.137");
        f.energyPrice("r1", H - 3_600_000, "0.081");
        f.price("m", "0.50", "0.10", "1.50");
        Map<String, BigDecimal> joules = new HashMap<>();
        Set<String> active = new HashSet<>();
        // Events are sent in time order: this test is about conservation, not lateness (IngestRulesTopologyTest).
        List<Map.Entry<Long, Runnable>> events = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
          long ts = H + rng.nextInt(20) * 60_000L + rng.nextInt(60_000);
          String node = "n" + rng.nextInt(3);
          String bucket = node + "|" + (ts / 60_000 * 60_000);
          active.add(bucket);
          if (rng.nextBoolean()) {
            long in = rng.nextInt(3000);
            var u = request("e" + seed + "-" + i, ts, "t" + rng.nextInt(6), "m", node, in, rng.nextInt((int) in + 1),
                rng.nextInt(800));
            events.add(Map.entry(ts, () -> f.send(u)));
          } else {
            double watts = 80 + rng.nextInt(6200) / 10.0;
            long start = ts / 60_000 * 60_000 + 15_000L * rng.nextInt(4);
            String gpu = "g" + i;
            events.add(Map.entry(start, () -> f.watts(node, gpu, start, 15_000, watts)));
            joules.merge(bucket, BigDecimal.valueOf(watts).multiply(BigDecimal.valueOf(15)), BigDecimal::add);
          }
        }
        events.sort(Map.Entry.comparingByKey());
        events.forEach(e -> e.getValue().run());
        f.closeEverythingAfter(H + 20 * 60_000L);
        BigDecimal expected = BigDecimal.ZERO;
        for (String bucket : active) {
          String node = bucket.substring(0, bucket.indexOf('|'));
          BigDecimal[] p = nodes.get(node);
          BigDecimal price = new BigDecimal(node.equals("n1") ? "0.081" : "0.137");
          BigDecimal kwh = joules.getOrDefault(bucket, BigDecimal.ZERO).multiply(p[1]).divide(BigDecimal.valueOf(3_600_000), MC);
          BigDecimal fixed = p[0].divide(BigDecimal.valueOf(3 * 8766), MC).add(p[2]).divide(BigDecimal.valueOf(60), MC);
          expected = expected.add(kwh.multiply(price, MC).add(fixed).setScale(9, RoundingMode.HALF_EVEN));
        }
        BigDecimal actual = f.margins("1h").stream().map(TenantMargin::getTotalCostUsd).reduce(BigDecimal.ZERO, BigDecimal::add);
        assertEquals(expected, actual, "seed " + seed);
      }
    }
  }
}

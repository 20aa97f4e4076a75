package io.marginflow.ops.backtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.marginflow.topology.pricing.MultiplierSchedule;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The demand a model draws from a recorded scenario, against counts worked out from the rule itself. */
class DemandShiftTest {
  private static final String HEADER = "event_id,timestamp_ms,tenant_id,model,region,node_id,input_tokens,"
      + "cached_input_tokens,output_tokens";
  private static final int N = 2_000;
  private static final long T0 = 1_767_571_200_000L;

  @Test
  void shouldDoubleRequestsAtHalfPriceUnderUnitElasticityAndKeepEverythingElse(@TempDir Path dir) throws Exception {
    Path scenario = scenario(dir);
    MultiplierSchedule halfInEast = new MultiplierSchedule();
    halfInEast.put("m", "east", T0 + 1_000 * 1_000L, new BigDecimal("0.5"));
    DemandShift.Counts c = DemandShift.write(scenario, dir.resolve("out"), new DemandModel(new BigDecimal("-1"),
        BigDecimal.ZERO), halfInEast, Map.of());
    // Requests 1000..1999 are in force of 0.5: each becomes exactly 2 (0.5^-1 = 2, no fraction); the first 1000 stay.
    assertEquals(new DemandShift.Counts(N, N + 1_000, 0, 1_000, 0), c);
    List<String> lines = Files.readAllLines(dir.resolve("out/usage.csv"));
    assertEquals(HEADER, lines.get(0));
    assertEquals("bad,not-a-time,t,m,east,e1,1,0,1", lines.get(1), "a line that does not parse passes as it is");
    assertEquals(line(1_000), lines.get(1_002));
    assertEquals(line(1_000).replace("r1000,", DemandModel.copyId("r1000", 1) + ","), lines.get(1_003),
        "the copy follows its original: same time, tenant, model, node");
    assertEquals(Files.readString(scenario.resolve("nodes.csv")), Files.readString(dir.resolve("out/nodes.csv")));
  }

  @Test
  void shouldMoveAShareOfADearerRegionsRequestsToTheCheaperOnesNodes(@TempDir Path dir) throws Exception {
    Path scenario = scenario(dir);
    MultiplierSchedule westHalf = new MultiplierSchedule();
    westHalf.put("m", "west", T0, new BigDecimal("0.5"));
    DemandShift.Counts c = DemandShift.write(scenario, dir.resolve("out"), new DemandModel(BigDecimal.ZERO,
        BigDecimal.ONE), westHalf, Map.of());
    // s (1 - 0.5 / 1) = 0.5 of east's requests move west; elasticity 0: none thinned or copied.
    List<String> expectedMoved = new ArrayList<>();
    for (int i = 0; i < N; i++) {
      if (DemandModel.uniform("r" + i, "move") < 0.5) {
        expectedMoved.add("r" + i);
      }
    }
    assertEquals(new DemandShift.Counts(N, N, 0, 0, expectedMoved.size()), c);
    assertTrue(expectedMoved.size() > 900 && expectedMoved.size() < 1_100, "about half: " + expectedMoved.size());
    List<String> moved = new ArrayList<>();
    for (String l : Files.readAllLines(dir.resolve("out/usage.csv")).subList(2, N + 2)) {
      String[] f = l.split(",");
      if (f[4].equals("west")) {
        assertTrue(f[5].equals("w1") || f[5].equals("w2"), l);
        moved.add(f[0]);
      }
    }
    assertEquals(expectedMoved, moved);
  }

  @Test
  void shouldLeaveTheRecordedFileAsItIsWhenDemandIsFixed(@TempDir Path dir) throws Exception {
    Path scenario = scenario(dir);
    MultiplierSchedule any = new MultiplierSchedule();
    any.put("m", "east", T0, new BigDecimal("1.3"));
    DemandShift.write(scenario, dir.resolve("out"), DemandModel.FIXED, any, Map.of());
    assertEquals(Files.readString(scenario.resolve("usage.csv")), Files.readString(dir.resolve("out/usage.csv")));
  }

  private static Path scenario(Path dir) throws Exception {
    Path s = Files.createDirectories(dir.resolve("scenario"));
    Files.writeString(s.resolve("nodes.csv"), "node_id,region,gpu_model,gpu_count,gpu_tdp_watts,hardware_cost_usd,"
        + "amortization_years,pue,hourly_overhead_usd\ne1,east,H100,8,700,250000,3,1.2,1\nw1,west,H100,8,700,250000,3,"
        + "1.2,1\nw2,west,H100,8,700,250000,3,1.2,1\n");
    StringBuilder usage = new StringBuilder(HEADER).append("\nbad,not-a-time,t,m,east,e1,1,0,1\n");
    for (int i = 0; i < N; i++) {
      usage.append(line(i)).append('\n');
    }
    Files.writeString(s.resolve("usage.csv"), usage);
    return s;
  }

  private static String line(int i) {
    return "r" + i + "," + (T0 + i * 1_000L) + ",t,m,east,e1,100,0,10";
  }
}

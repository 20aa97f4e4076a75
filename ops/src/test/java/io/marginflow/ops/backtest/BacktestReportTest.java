package io.marginflow.ops.backtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The comparison over two hand-written replay outputs, every figure worked out by hand in the comments. */
class BacktestReportTest {
  private static final long H0 = 1_767_571_200_000L;
  private static final long H1 = H0 + 3_600_000L;

  @Test
  void shouldSumHoursPerTenantAndDiffAgainstTheFirstPolicy(@TempDir Path dir) throws Exception {
    // list: t1 earns 10.000000001 + 5 = 15.000000001 on 7 + 3 = 10 cost; idle costs 2. Total: revenue 15.000000001,
    // cost 12, margin 3.000000001, ratio 3.000000001 / 15.000000001 = 0.200000000 (9 dp).
    Path list = replay(dir.resolve("list"),
        margin("t<1>", H0, 4, "10.000000001", "7") + margin("t<1>", H1, 2, "5", "3") + margin("__idle__", H0, 0, "0", "2")
            + daily("t<1>", "15.000000001", "10"), "");
    // loop: t1 earns 11 + 6 = 17 on the same 10 cost; idle 2. Margin 5, ratio 5 / 17 = 0.294117647. Two adjustments.
    Path loop = replay(dir.resolve("loop"),
        margin("t<1>", H0, 4, "11", "7") + margin("t<1>", H1, 2, "6", "3") + margin("__idle__", H0, 0, "0", "2"),
        adjustment(H0 + 900_000, "1.000000000", "1.050000000") + adjustment(H0 + 1_200_000, "1.050000000", "0.950000000"));
    BacktestReport report = new BacktestReport(List.of(
        PolicyOutcome.read(new BacktestPolicy("list", Map.of("pricing.dynamic.enabled", "false")), list),
        PolicyOutcome.read(new BacktestPolicy("loop", Map.of()), loop)));
    Path out = dir.resolve("out");
    report.write(out);

    // Idle cost 2 of 12: GPU utilization 1 - 2 / 12 = 0.833333 (6 dp) under both; fixed demand: one pass, a fixed point.
    assertEquals(List.of(BacktestReport.POLICY_HEADER,
        "list,0,0,6,15.000000001,12.000000000,3.000000001,0.200000000,2.000000000,0.833333,0,1.000000000,1.000000000,1,"
            + "true,,,,,,,",
        "loop,0,0,6,17.000000000,12.000000000,5.000000000,0.294117647,2.000000000,0.833333,2,0.950000000,1.050000000,1,"
            + "true,0,1.999999999,0.000000000,1.999999999,0.094117647,0.000000000,0.000000"),
        Files.readAllLines(out.resolve("policies.csv")));
    assertEquals(List.of(BacktestReport.TENANT_HEADER,
        "list,0,0,t<1>,6,15.000000001,10.000000000,5.000000001,0.333333333,,,",
        "list,0,0,__idle__,0,0.000000000,2.000000000,-2.000000000,,,,",
        "loop,0,0,t<1>,6,17.000000000,10.000000000,7.000000000,0.411764706,1.999999999,1.999999999,0.078431373",
        "loop,0,0,__idle__,0,0.000000000,2.000000000,-2.000000000,,0.000000000,0.000000000,"),
        Files.readAllLines(out.resolve("tenants.csv")));
    assertEquals(3, Files.readAllLines(out.resolve("multipliers.csv")).size());

    String html = Files.readString(out.resolve("report.html"));
    assertTrue(html.contains("t&lt;1&gt;") && !html.contains("t<1>"), "names are escaped in HTML and in the data block");
    assertTrue(html.contains("Chart.js v4") && !html.contains("src=\"http"), "Chart.js inlined, nothing fetched");

    ByteArrayOutputStream text = new ByteArrayOutputStream();
    report.print(new PrintStream(text, true, StandardCharsets.UTF_8));
    String printed = text.toString(StandardCharsets.UTF_8);
    assertTrue(printed.contains("loop - list") && printed.contains("+2.00") && printed.contains("+9.4 pp"), printed);
    assertTrue(printed.contains("0.95 .. 1.05"), printed);
  }

  @Test
  void shouldCompareEachPolicyWithTheFirstUnderTheSameDemand(@TempDir Path dir) throws Exception {
    // list at e=0 (10 revenue, 8 cost), then list and loop at e=-1: loop serves 3 more requests and earns 4 more than
    // list at e=-1 (not than list at e=0); two passes, the second moved the multipliers by 0.004.
    Path a = replay(dir.resolve("a"), margin("t", H0, 5, "10", "8"), "");
    Path b = replay(dir.resolve("b"), margin("t", H0, 4, "9", "8"), "");
    Path c = replay(dir.resolve("c"), margin("t", H0, 7, "13", "8"), adjustment(H0, "1.000000000", "0.900000000"));
    DemandModel e1 = new DemandModel(new BigDecimal("-1"), BigDecimal.ZERO);
    PolicyOutcome.Demand passes = new PolicyOutcome.Demand(e1, List.of(
        new PolicyOutcome.Pass(6, new BigDecimal("12"), new BigDecimal("4"), null),
        new PolicyOutcome.Pass(7, new BigDecimal("13"), new BigDecimal("5"), new BigDecimal("0.004"))), true);
    BacktestPolicy list = new BacktestPolicy("list", Map.of());
    BacktestReport report = new BacktestReport(List.of(PolicyOutcome.read(list, a),
        PolicyOutcome.read(list, b).with(new PolicyOutcome.Demand(e1, List.of(), true)),
        PolicyOutcome.read(new BacktestPolicy("loop", Map.of()), c).with(passes)));
    report.write(dir.resolve("out"));
    List<String> policies = Files.readAllLines(dir.resolve("out/policies.csv"));
    assertTrue(policies.get(1).startsWith("list,0,0,5,10.000000000,") && policies.get(1).endsWith(",,,,,,,"), policies.get(1));
    assertTrue(policies.get(2).startsWith("list,-1,0,4,9.000000000,") && policies.get(2).endsWith(",,,,,,,"), policies.get(2));
    assertTrue(policies.get(3).startsWith("loop,-1,0,7,13.000000000,") && policies.get(3).contains(",2,true,3,4.000000000,"),
        policies.get(3));
    assertEquals(List.of(BacktestReport.PASS_HEADER, "loop,-1,0,1,6,12,4,,false", "loop,-1,0,2,7,13,5,0.004,true"),
        Files.readAllLines(dir.resolve("out/passes.csv")));
    ByteArrayOutputStream text = new ByteArrayOutputStream();
    report.print(new PrintStream(text, true, StandardCharsets.UTF_8));
    String printed = text.toString(StandardCharsets.UTF_8);
    assertTrue(printed.contains("== demand e=-1") && printed.contains("loop: 2 passes, a fixed point; multipliers moved -, "
        + "0.004"), printed);
  }

  @Test
  void shouldRefuseABadPolicyBeforeRunningAnything(@TempDir Path dir) throws Exception {
    Path good = Files.writeString(dir.resolve("good.properties"), "pricing.law=margin-ratio\npricing.target-margin=0.35\n");
    Path bad = Files.writeString(dir.resolve("bad.properties"), "pricing.max-step=lots\n");
    ConfigException e = assertThrows(ConfigException.class, () -> BacktestPolicy.read(List.of(good, bad)));
    assertTrue(e.getMessage().contains("bad.properties") && e.getMessage().contains("pricing.max-step"), e.getMessage());
    ConfigException twice = assertThrows(ConfigException.class, () -> BacktestPolicy.read(List.of(good, good)));
    assertTrue(twice.getMessage().contains("two policies are named 'good'"), twice.getMessage());
    assertFalse(BacktestPolicy.read(List.of(good)).get(0).settings().isEmpty());
  }

  private static Path replay(Path dir, String margins, String adjustments) throws Exception {
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("margins.jsonl"), margins);
    Files.writeString(dir.resolve("price_adjustments.jsonl"), adjustments);
    return dir;
  }

  private static String margin(String tenant, long start, long requests, String revenue, String cost) {
    return "{\"tenant_id\":\"" + tenant + "\",\"window\":\"1h\",\"window_size_ms\":3600000,\"window_start_ms\":" + start
        + ",\"window_end_ms\":" + (start + 3_600_000L) + ",\"requests\":" + requests + ",\"revenue_usd\":" + revenue
        + ",\"total_cost_usd\":" + cost + "}\n";
  }

  /** A 24h window: not summed (it overlaps the hours). */
  private static String daily(String tenant, String revenue, String cost) {
    return margin(tenant, H0, 6, revenue, cost).replace("\"1h\"", "\"24h\"");
  }

  private static String adjustment(long from, String previous, String now) {
    return "{\"model\":\"m\",\"region\":\"r\",\"previous_multiplier\":" + previous + ",\"multiplier\":" + now
        + ",\"effective_from_ms\":" + from + ",\"realized_margin_ratio\":0.1}\n";
  }
}

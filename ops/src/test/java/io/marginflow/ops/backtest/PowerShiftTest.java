package io.marginflow.ops.backtest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.marginflow.ops.scenario.Csv;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Power drawn by the work served, every figure by hand (default bucket 60 s, weights 1 / 0.1 / 4). */
class PowerShiftTest {
  private static final String[] USAGE = {"event_id", "timestamp_ms", "node_id", "input_tokens", "cached_input_tokens",
      "output_tokens"};

  @Test
  void shouldScaleTheDynamicPartByTheWorkAndGiveAnIdleNodeTheRegionsWattsPerWork(@TempDir Path dir) throws Exception {
    Path in = Files.writeString(dir.resolve("power.csv"), "timestamp_ms,node_id,gpu_id,interval_ms,avg_power_watts\n"
        + "0,e1,0,15000,100\n60000,e1,0,15000,300\n0,e2,0,15000,80\n60000,e2,0,15000,80\n60000,e3,0,15000,650\n"
        + "60000,e3,0,15000,oops\n");
    PowerShift p = new PowerShift(Map.of());
    // Recorded: e1 serves work 100 + 25 x 4 = 200 in bucket 1, e3 work (100 - 20) + 20 x 0.1 + 5 x 4 = 102.
    p.recorded(line("a", 60_000, "e1", 100, 0, 25), 60_000);
    p.recorded(line("b", 60_000, "e3", 100, 20, 5), 60_000);
    // Served: e1 twice its work (a and a copy), e2 (idle) a moved request of work 200, e3 twice.
    p.served(line("a", 60_000, "e1", 100, 0, 25), "e1", 60_000);
    p.served(line("a", 60_000, "e1", 100, 0, 25), "e1", 60_000);
    p.served(line("c", 60_000, "e1", 100, 0, 25), "e2", 60_000);
    p.served(line("b", 60_000, "e3", 100, 20, 5), "e3", 60_000);
    p.served(line("b", 60_000, "e3", 100, 20, 5), "e3", 60_000);
    Map<String, String[]> nodes = new HashMap<>();
    for (String n : List.of("e1", "e2", "e3")) {
      nodes.put(n, new String[] {"east", "700"});
    }
    p.write(in, dir.resolve("out.csv"), nodes);
    // e1 bucket 1: idle 100 + (300 - 100) x 400 / 200 = 500. e3: idle 650 (its lowest), dynamic 0: stays 650.
    // Region east: dynamic watts per work = (200 + 0) / (200 + 102) -> e2 bucket 1: 80 + 200 x 200 / 302 = 212.450.
    assertEquals(List.of("timestamp_ms,node_id,gpu_id,interval_ms,avg_power_watts", "0,e1,0,15000,100",
        "60000,e1,0,15000,500.000", "0,e2,0,15000,80", "60000,e2,0,15000,212.450", "60000,e3,0,15000,650.000",
        "60000,e3,0,15000,oops"), Files.readAllLines(dir.resolve("out.csv")));
  }

  @Test
  void shouldNeverDrawMoreThanTheTdp(@TempDir Path dir) throws Exception {
    Path in = Files.writeString(dir.resolve("power.csv"), "timestamp_ms,node_id,gpu_id,interval_ms,avg_power_watts\n"
        + "0,e1,0,15000,100\n60000,e1,0,15000,600\n");
    PowerShift p = new PowerShift(Map.of());
    p.recorded(line("a", 60_000, "e1", 100, 0, 0), 60_000);
    for (int i = 0; i < 3; i++) {
      p.served(line("a", 60_000, "e1", 100, 0, 0), "e1", 60_000);
    }
    p.write(in, dir.resolve("out.csv"), Map.of("e1", new String[] {"east", "700"}));
    assertEquals("60000,e1,0,15000,700.000", Files.readAllLines(dir.resolve("out.csv")).get(2), "100 + 500 x 3 capped");
  }

  private static Csv.Line line(String id, long ts, String node, long in, long cached, long out) {
    Map<String, Integer> columns = new HashMap<>();
    for (int i = 0; i < USAGE.length; i++) {
      columns.put(USAGE[i], i);
    }
    String[] f = {id, Long.toString(ts), node, Long.toString(in), Long.toString(cached), Long.toString(out)};
    return new Csv.Line(2, String.join(",", f), f, columns);
  }
}

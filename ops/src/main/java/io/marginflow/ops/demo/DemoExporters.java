package io.marginflow.ops.demo;

import com.sun.net.httpserver.HttpServer;
import io.marginflow.avro.PowerSample;
import io.marginflow.connectors.power.PowerSourceConfig;
import io.marginflow.connectors.power.PowerSourceConnector;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * Stand-ins for NVIDIA DCGM exporter, one endpoint per demo node on loopback: each GPU's energy counter
 * (DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION, mJ) advances in real time at the power the live load last set, beside the
 * power gauge and utilization, in DCGM exporter's exposition format. The power source connector scrapes them.
 */
final class DemoExporters implements AutoCloseable {
  static final String CONNECTOR = "marginflow-power-dcgm";
  private final HttpServer server;
  private final List<String> nodes;
  private final Map<String, Gpu> gpus = new ConcurrentHashMap<>();
  private volatile boolean live;

  private static final class Gpu {
    double watts;
    double utilization;
    double energyMj;
    long atMs = System.currentTimeMillis();

    synchronized double energyAt(long nowMs) {
      return energyMj + watts * Math.max(0, nowMs - atMs);
    }

    synchronized void set(double newWatts, double newUtilization, long nowMs) {
      energyMj = energyAt(nowMs);
      atMs = nowMs;
      watts = newWatts;
      utilization = newUtilization;
    }
  }

  DemoExporters(List<String> nodes, int gpusPerNode) throws IOException {
    this.nodes = List.copyOf(nodes);
    for (String n : nodes) {
      for (int g = 0; g < gpusPerNode; g++) {
        gpus.put(n + "/" + g, new Gpu());
      }
    }
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    for (String n : nodes) {
      server.createContext("/nodes/" + n + "/metrics", ex -> {
        try (ex) {
          byte[] body = exposition(n, gpusPerNode, System.currentTimeMillis()).getBytes(StandardCharsets.UTF_8);
          ex.getResponseHeaders().add("Content-Type", "text/plain; version=0.0.4");
          ex.sendResponseHeaders(200, body.length);
          ex.getResponseBody().write(body);
        }
      });
    }
    server.start();
  }

  /** Whether power now comes from these exporters (through the connector) rather than the demo's producer. */
  boolean live() {
    return live;
  }

  void goLive() {
    live = true;
  }

  /** The power the live load computed for a GPU: its counter advances at this rate from now on. */
  void set(PowerSample s) {
    Gpu g = gpus.get(s.getNodeId() + "/" + s.getGpuId());
    if (g != null) {
      g.set(s.getAvgPowerWatts(), s.getGpuUtilization() == null ? 0 : s.getGpuUtilization(), System.currentTimeMillis());
    }
  }

  private String exposition(String node, int gpusPerNode, long nowMs) {
    StringBuilder b = new StringBuilder();
    String[][] metrics = {{"DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION", "counter", "Total energy consumption since boot (in mJ)."},
        {"DCGM_FI_DEV_POWER_USAGE", "gauge", "Power draw (in W)."}, {"DCGM_FI_DEV_GPU_UTIL", "gauge", "GPU utilization (in %)."}};
    for (String[] m : metrics) {
      b.append("# HELP ").append(m[0]).append(' ').append(m[2]).append("\n# TYPE ").append(m[0]).append(' ').append(m[1])
          .append('\n');
      for (int g = 0; g < gpusPerNode; g++) {
        Gpu gpu = gpus.get(node + "/" + g);
        String value = switch (m[0]) {
          case "DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION" -> Long.toString(Math.round(gpu.energyAt(nowMs)));
          case "DCGM_FI_DEV_POWER_USAGE" -> String.format(java.util.Locale.ROOT, "%.3f", gpu.watts);
          default -> Long.toString(Math.round(gpu.utilization * 100));
        };
        b.append(m[0]).append("{gpu=\"").append(g).append("\",UUID=\"GPU-demo-").append(node).append('-').append(g)
            .append("\",device=\"nvidia").append(g).append("\",modelName=\"NVIDIA H100 80GB HBM3\",Hostname=\"")
            .append(node).append("\"} ").append(value).append('\n');
      }
    }
    return b.toString();
  }

  /** The power source connector's settings for these endpoints. */
  Map<String, String> connector(String registryUrl, String topic, int partitions) {
    Map<String, String> c = new HashMap<>();
    c.put("name", CONNECTOR);
    c.put("connector.class", PowerSourceConnector.class.getName());
    c.put("tasks.max", "1");
    c.put(PowerSourceConfig.FORMAT, "dcgm");
    c.put(PowerSourceConfig.ENDPOINTS, nodes.stream().map(n -> n + "=http://127.0.0.1:" + server.getAddress().getPort()
        + "/nodes/" + n + "/metrics").collect(Collectors.joining(",")));
    c.put(PowerSourceConfig.INTERVAL, "5000");
    c.put(PowerSourceConfig.TOPIC, topic);
    c.put(PowerSourceConfig.TOPIC_PARTITIONS, Integer.toString(partitions));
    c.put(PowerSourceConfig.REGISTRY_URL, registryUrl);
    return c;
  }

  @Override
  public void close() {
    server.stop(0);
  }
}

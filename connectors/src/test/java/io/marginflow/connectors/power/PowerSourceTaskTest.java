package io.marginflow.connectors.power;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.marginflow.avro.PowerSample;
import io.marginflow.schemas.TickHeader;
import io.marginflow.serde.ConfluentAvroDeserializer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.metrics.PluginMetrics;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.source.SourceTaskContext;
import org.apache.kafka.connect.storage.OffsetStorageReader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The task against a local exporter serving DCGM text, one unreachable endpoint, a fake clock and a restart. */
class PowerSourceTaskTest {
  private static final long T0 = 1_767_571_200_000L;
  private final String registry = "mock://power-" + UUID.randomUUID();
  private final AtomicReference<String> exposition = new AtomicReference<>();
  private final AtomicLong clock = new AtomicLong(T0);
  private final Map<Map<String, Object>, Map<String, Object>> committed = new HashMap<>();
  private HttpServer server;

  @BeforeEach
  void serve() throws Exception {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/metrics", x -> {
      byte[] body = exposition.get().getBytes(StandardCharsets.UTF_8);
      x.sendResponseHeaders(200, body.length);
      x.getResponseBody().write(body);
      x.close();
    });
    server.createContext("/down", x -> {
      x.sendResponseHeaders(503, -1);
      x.close();
    });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private Map<String, String> props() {
    String base = "http://127.0.0.1:" + server.getAddress().getPort();
    return Map.of(PowerSourceConfig.ENDPOINTS, base + "/metrics,node-09=" + base + "/down", PowerSourceConfig.TOPIC_PARTITIONS,
        "3", PowerSourceConfig.REGISTRY_URL, registry, PowerSourceConfig.INTERVAL, "15000");
  }

  private PowerSourceTask task() {
    return start(props(), clock::get, committed);
  }

  /** A task started with {@code props}, {@code clock}, and {@code committed} as the worker's stored offsets. */
  static PowerSourceTask start(Map<String, String> props, java.util.function.LongSupplier clock,
      Map<Map<String, Object>, Map<String, Object>> committed) {
    PowerSourceTask task = new PowerSourceTask(clock);
    task.initialize(new SourceTaskContext() {
      @Override
      public Map<String, String> configs() {
        return props;
      }

      @Override
      public OffsetStorageReader offsetStorageReader() {
        return new OffsetStorageReader() {
          @Override
          public <T> Map<String, Object> offset(Map<String, T> partition) {
            return committed.get(new HashMap<String, Object>(partition));
          }

          @Override
          public <T> Map<Map<String, T>, Map<String, Object>> offsets(Collection<Map<String, T>> partitions) {
            throw new UnsupportedOperationException();
          }
        };
      }

      @Override
      public PluginMetrics pluginMetrics() {
        return null;
      }
    });
    task.start(props);
    return task;
  }

  @Test
  void shouldIntegrateTickAndResumeFromTheCommittedOffsetAfterARestart() throws Exception {
    PowerSourceTask task = task();
    exposition.set(PowerScrapeTest.dcgm(1_000_000_000L, 2_000_000_000L));
    List<SourceRecord> first = task.poll();
    assertEquals(List.of(), samples(first), "nothing to integrate on the first scrape");
    assertTicks(first, T0);

    clock.set(T0 + 15_000);
    exposition.set(PowerScrapeTest.dcgm(1_004_800_000L, 2_003_000_000L));
    List<SourceRecord> second = task.poll();
    List<PowerSample> s = samples(second);
    // GPU 0: 4,800 J over 15 s = 320 W at 87 %; GPU 1: 3,000 J / 15 s = 200 W, its two MIG instances counted once.
    assertEquals(List.of(sample("0", T0, 320.0, 0.87), sample("1", T0, 200.0, null)), s);
    assertTicks(second, T0 + 15_000);
    assertEquals(2, task.counters().scrapeFailures.get(), "node-09's endpoint failed twice, never stopped the task");
    for (SourceRecord r : second) {
      if (r.value() != null) {
        committed.put(new HashMap<String, Object>(r.sourcePartition()), new HashMap<String, Object>(r.sourceOffset()));
      }
    }
    task.stop();
    assertNull(task.poll(), "a stopped task returns at once");

    // Restarted: the next interval starts where the committed one ended, neither lost nor repeated.
    PowerSourceTask again = task();
    clock.set(T0 + 30_000);
    exposition.set(PowerScrapeTest.dcgm(1_009_600_000L, 2_006_000_000L));
    assertEquals(List.of(sample("0", T0 + 15_000, 320.0, 0.87), sample("1", T0 + 15_000, 200.0, null)),
        samples(again.poll()));
  }

  @Test
  void shouldRefuseBadConfigurationNamingTheKey() {
    Map<String, String> bad = new HashMap<>(props());
    bad.put(PowerSourceConfig.ENDPOINTS, "node-1=ftp://x/metrics");
    assertTrue(assertThrows(ConfigException.class, () -> new PowerSourceConfig(bad)).getMessage().contains("endpoints"));
    bad.put(PowerSourceConfig.ENDPOINTS, "http://x:9400/metrics");
    bad.put(PowerSourceConfig.ENERGY_METRIC, "");
    bad.put(PowerSourceConfig.POWER_METRIC, "");
    assertTrue(assertThrows(ConfigException.class, () -> new PowerSourceConfig(bad)).getMessage().contains("metric.power"));
    Map<String, String> kepler = new HashMap<>(props());
    kepler.put(PowerSourceConfig.FORMAT, "kepler");
    kepler.put(PowerSourceConfig.ENERGY_METRIC, "kepler_node_gpu_active_joules_total");
    GpuMetrics m = new PowerSourceConfig(kepler).metrics();
    assertEquals("kepler_node_gpu_active_joules_total", m.energyMetric(), "a named metric overrides the preset");
    assertEquals("node_name|instance", m.nodeLabel());
    Map<String, String> slow = new HashMap<>(props());
    slow.put(PowerSourceConfig.TIMEOUT, "15000");
    assertEquals(13_500, new PowerSourceConfig(slow).scrapeTimeoutMs(), "a scrape ends before the next is due");
  }

  @Test
  void shouldDealEndpointsToTasks() {
    PowerSourceConnector connector = new PowerSourceConnector();
    Map<String, String> p = new HashMap<>(props());
    p.put(PowerSourceConfig.ENDPOINTS, "http://a:9400/metrics,http://b:9400/metrics,http://c:9400/metrics");
    connector.start(p);
    List<Map<String, String>> tasks = connector.taskConfigs(2);
    assertEquals(List.of("http://a:9400/metrics,http://c:9400/metrics", "http://b:9400/metrics"),
        tasks.stream().map(t -> t.get(PowerSourceConfig.ENDPOINTS)).toList());
    assertEquals(3, connector.taskConfigs(8).size(), "never more tasks than endpoints");
  }

  private static void assertTicks(List<SourceRecord> records, long reachedMs) {
    List<SourceRecord> ticks = records.stream().filter(r -> r.value() == null).toList();
    assertEquals(List.of(0, 1, 2), ticks.stream().map(SourceRecord::kafkaPartition).toList(), "every partition ticked");
    for (SourceRecord t : ticks) {
      assertNotNull(t.headers().lastWithName(TickHeader.NAME));
      assertEquals(reachedMs, t.timestamp());
      assertNull(t.key());
    }
  }

  private List<PowerSample> samples(List<SourceRecord> records) {
    return samples(registry, records);
  }

  /** The PowerSamples among {@code records} (ticks aside), each keyed by its node and stamped with its start. */
  static List<PowerSample> samples(String registry, List<SourceRecord> records) {
    List<PowerSample> out = new ArrayList<>();
    try (ConfluentAvroDeserializer<PowerSample> d = new ConfluentAvroDeserializer<>(PowerSample.class)) {
      d.configure(Map.of("schema.registry.url", registry), false);
      for (SourceRecord r : records) {
        if (r.value() != null) {
          PowerSample s = d.deserialize(r.topic(), (byte[]) r.value());
          assertEquals(s.getNodeId(), r.key());
          assertEquals(s.getTimestampMs().toEpochMilli(), r.timestamp());
          out.add(s);
        }
      }
    }
    return out;
  }

  private static PowerSample sample(String gpu, long start, double watts, Double utilization) {
    return PowerSample.newBuilder().setTimestampMs(java.time.Instant.ofEpochMilli(start)).setNodeId("node-01").setGpuId(gpu)
        .setIntervalMs(15_000).setAvgPowerWatts(watts).setGpuUtilization(utilization).build();
  }
}

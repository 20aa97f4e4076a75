package io.marginflow.connectors.power;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.marginflow.avro.PowerSample;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * When each reading was taken: a slow neighbour in the same task, an exporter that refreshes slower than the scrape,
 * the renamed node label, an endpoint that answers without GPUs, and a stop while the task waits.
 */
class PowerScrapeTimingTest {
  private static final long T0 = 1_767_571_200_000L;
  private final String registry = "mock://timing-" + UUID.randomUUID();
  private final Map<String, LongFunction<String>> pages = new HashMap<>();
  private final Map<String, Long> delaysMs = new HashMap<>();
  private final AtomicInteger requests = new AtomicInteger();
  private HttpServer server;

  /** DCGM exposition of one GPU of {@code node}: its energy counter (mJ) and power gauge (W), labels as released. */
  static String dcgm(String node, String nodeLabel, long energyMj, double watts) {
    String labels = "{gpu=\"0\",UUID=\"GPU-1f0c2e4a-5b6d-4e7f-8a9b-0c1d2e3f4a5b\",device=\"nvidia0\",modelName=\"Tesla T4\","
        + nodeLabel + "=\"" + node + "\"}";
    return "# HELP DCGM_FI_DEV_POWER_USAGE Power draw (in W).\n# TYPE DCGM_FI_DEV_POWER_USAGE gauge\n"
        + "DCGM_FI_DEV_POWER_USAGE" + labels + " " + watts + "\n"
        + "# HELP DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION Total energy consumption since boot (in mJ).\n"
        + "# TYPE DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION counter\n"
        + "DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION" + labels + " " + energyMj + "\n";
  }

  @BeforeEach
  void serve() throws Exception {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
    server.createContext("/", x -> {
      String path = x.getRequestURI().getPath();
      int n = requests.incrementAndGet();
      long delay = delaysMs.getOrDefault(path, 0L);
      if (delay > 0 && n % 2 == 0) {
        // The slow exporter itself, not a wait of the test.
        java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(delay));
      }
      byte[] body = pages.get(path).apply(System.currentTimeMillis()).getBytes(StandardCharsets.UTF_8);
      x.sendResponseHeaders(200, body.length);
      x.getResponseBody().write(body);
      x.close();
    });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private String url(String path) {
    return "http://127.0.0.1:" + server.getAddress().getPort() + path;
  }

  private Map<String, String> props(String endpoints, long intervalMs, long timeoutMs) {
    return new HashMap<>(Map.of(PowerSourceConfig.ENDPOINTS, endpoints, PowerSourceConfig.TOPIC_PARTITIONS, "2",
        PowerSourceConfig.REGISTRY_URL, registry, PowerSourceConfig.INTERVAL, Long.toString(intervalMs),
        PowerSourceConfig.TIMEOUT, Long.toString(timeoutMs)));
  }

  /**
   * Two exporters in one task on the real clock: node-a draws a constant 70 W (its counter is 70 W x the time it is
   * read), node-b, listed first, answers 1.5 s late on every other request. node-a's intervals are each stamped with its
   * own reads, so every one comes out at 70 W (within the scheduling jitter of a busy machine, 10 % of a 2 s interval);
   * stamped with the poll's start, as before, they came out 75 % off on alternate intervals.
   */
  @Test
  void shouldStampEachEndpointWithItsOwnReadSoThatASlowNeighbourShiftsNothing() throws Exception {
    long start = System.currentTimeMillis();
    pages.put("/a", now -> dcgm("node-a", "Hostname", 70 * (now - start), 70.0));
    pages.put("/b", now -> dcgm("node-b", "Hostname", 200 * (now - start), 200.0));
    delaysMs.put("/b", 1_500L);
    PowerSourceTask task = PowerSourceTaskTest.start(props(url("/b") + "," + url("/a"), 2_000, 1_900),
        System::currentTimeMillis, new HashMap<>());
    List<PowerSample> a = new ArrayList<>();
    while (a.size() < 3) {
      List<SourceRecord> records = task.poll();
      if (records != null) {
        PowerSourceTaskTest.samples(registry, records).stream().filter(s -> s.getNodeId().equals("node-a"))
            .forEach(a::add);
      }
    }
    task.stop();
    for (PowerSample s : a) {
      assertEquals(70.0, s.getAvgPowerWatts(), 70.0 * 0.10, s.toString());
    }
  }

  /**
   * dcgm-exporter refreshes every 30 s by default; scraped every 15 s at a constant 350 W, every other scrape serves
   * the same counter. That reading is held back (no 0 W interval) and the next spreads its energy over 30 s.
   */
  @Test
  void shouldSpreadAStaleRefreshOverTheTimeSinceTheLastChange() throws Exception {
    AtomicLong clock = new AtomicLong(T0);
    // The exporter's values as of its last refresh, every 30 s: 350 W x 30 s = 10,500 J = 10,500,000 mJ per refresh.
    pages.put("/a", now -> dcgm("node-a", "Hostname", 1_000_000_000L + (clock.get() - T0) / 30_000 * 10_500_000L,
        350.0));
    PowerSourceTask task = PowerSourceTaskTest.start(props("node-a=" + url("/a"), 15_000, 5_000), clock::get,
        new HashMap<>());
    List<PowerSample> samples = new ArrayList<>();
    List<Long> ticks = new ArrayList<>();
    for (int i = 0; i <= 4; i++) {
      clock.set(T0 + i * 15_000L);
      List<SourceRecord> records = task.poll();
      samples.addAll(PowerSourceTaskTest.samples(registry, records));
      records.stream().filter(r -> r.value() == null && r.kafkaPartition() == 0).forEach(r -> ticks.add(r.timestamp()));
    }
    assertEquals(List.of(T0, T0 + 30_000), samples.stream().map(s -> s.getTimestampMs().toEpochMilli()).toList());
    for (PowerSample s : samples) {
      assertEquals(30_000, s.getIntervalMs());
      assertEquals(350.0, s.getAvgPowerWatts(), 1e-9, "10,500 J over 30 s, never 0 then 700");
    }
    assertEquals(List.of(T0, T0, T0 + 30_000, T0 + 30_000, T0 + 60_000), ticks,
        "a held-back reading holds the tick back: its interval starts at the last change");
    assertEquals(2, task.counters().staleReadings.get());
  }

  /** dcgm-exporter's main branch spells the node label hostname: read like Hostname, not 0 samples. */
  @Test
  void shouldReadTheRenamedNodeLabel() throws Exception {
    AtomicLong clock = new AtomicLong(T0);
    pages.put("/a", now -> dcgm("node-a", "hostname", 1_000_000L + (clock.get() - T0) * 100, 100.0));
    PowerSourceTask task = PowerSourceTaskTest.start(props(url("/a"), 15_000, 5_000), clock::get, new HashMap<>());
    task.poll();
    clock.set(T0 + 15_000);
    List<PowerSample> s = PowerSourceTaskTest.samples(registry, task.poll());
    assertEquals(1, s.size());
    assertEquals("node-a", s.get(0).getNodeId());
    assertEquals(100.0, s.get(0).getAvgPowerWatts(), 1e-9, "1,500,000 mJ over 15 s");
  }

  /** An endpoint that answers without any GPU reading is counted, and fails the task after empty.scrapes.max. */
  @Test
  void shouldNotStaySilentAboutAnEndpointWithoutGpus() throws Exception {
    AtomicLong clock = new AtomicLong(T0);
    pages.put("/a", now -> "# TYPE kepler_node_package_joules_total counter\nkepler_node_package_joules_total{mode=\"idle\"}"
        + " 12.5\n");
    Map<String, String> p = props(url("/a"), 15_000, 5_000);
    p.put(PowerSourceConfig.EMPTY_SCRAPES_MAX, "2");
    PowerSourceTask task = PowerSourceTaskTest.start(p, clock::get, new HashMap<>());
    task.poll();
    assertEquals(1, task.counters().emptyScrapes.get());
    clock.set(T0 + 15_000);
    ConnectException e = assertThrows(ConnectException.class, task::poll);
    assertTrue(e.getMessage().contains("empty.scrapes.max"), e.getMessage());
  }

  /**
   * Kafka Connect calls stop() only after poll() returns, within task.shutdown.graceful.timeout.ms: a poll whose next
   * scrape is an hour away returns null within a second, and one stopped meanwhile returns at once.
   */
  @Test
  void shouldNeverBlockAPollForTheWholeInterval() throws Exception {
    pages.put("/a", now -> dcgm("node-a", "Hostname", 1, 1.0));
    PowerSourceTask task = PowerSourceTaskTest.start(props(url("/a"), 3_600_000, 5_000), System::currentTimeMillis,
        new HashMap<>());
    task.poll();
    CompletableFuture<List<SourceRecord>> waiting = CompletableFuture.supplyAsync(() -> {
      try {
        return task.poll();
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
    });
    assertNull(waiting.get(2, TimeUnit.SECONDS), "the next scrape is an hour away: poll returned null meanwhile");
    CompletableFuture<List<SourceRecord>> again = CompletableFuture.supplyAsync(() -> {
      try {
        return task.poll();
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
    });
    task.stop();
    assertNull(again.get(2, TimeUnit.SECONDS), "a stopped task's poll returns at once");
  }
}

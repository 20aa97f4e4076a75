package io.marginflow.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.marginflow.avro.PowerSample;
import io.marginflow.connectors.power.PowerSourceConnector;
import io.marginflow.schemas.TickHeader;
import io.marginflow.serde.ConfluentAvroDeserializer;
import io.marginflow.topology.config.Topics;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.connect.cli.ConnectStandalone;
import org.apache.kafka.connect.runtime.Connect;
import org.apache.kafka.connect.runtime.Herder;
import org.apache.kafka.connect.runtime.rest.entities.ConnectorInfo;
import org.apache.kafka.connect.runtime.standalone.StandaloneHerder;
import org.apache.kafka.connect.util.FutureCallback;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The power source on a real Connect worker (standalone, in-process) with the embedded broker, scraping a local
 * DCGM exporter whose energy counters advance at 300 W and 450 W of real time, with a counter reset on the fourth
 * scrape (the gauges then read 250 W and 380 W), a garbage line in every scrape, a scrape answered 503, and a worker
 * restart halfway: the samples decode as SPEC 1 PowerSamples, every partition is ticked, the reset interval takes the
 * gauge, the missed scrape's interval joins the next, and each GPU's intervals are contiguous across the restart (the
 * committed source offsets: nothing lost, nothing repeated).
 */
@WithKafkaStack
@org.junit.jupiter.api.Tag("connect")
class PowerConnectIT {
  private static final double[] WATTS = {300, 450};
  private static final double[] GAUGE = {250, 380};

  @Test
  void shouldScrapeIntegrateTickAndResumeAcrossARestart(KafkaStack kafka, @TempDir Path dir) throws Exception {
    Pipelines.createTopicsForHistory(kafka);
    String topic = Topics.defaults().power();
    AtomicInteger scrapes = new AtomicInteger();
    long t0 = System.currentTimeMillis();
    HttpServer exporter = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    exporter.createContext("/metrics", x -> {
      int n = scrapes.incrementAndGet();
      if (n == 6) {
        // One scrape the exporter does not answer: the next sample spans both intervals.
        x.sendResponseHeaders(503, -1);
        x.close();
        return;
      }
      long elapsed = System.currentTimeMillis() - t0;
      StringBuilder body = new StringBuilder("# TYPE DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION counter\n");
      for (int gpu = 0; gpu < 2; gpu++) {
        // 1 W for 1 ms is 1 mJ; before the reset the counter also carries 5e9 mJ from before the test.
        long mj = (n < 4 ? 5_000_000_000L : 0) + Math.round(WATTS[gpu] * elapsed);
        String labels = "{gpu=\"" + gpu + "\",UUID=\"GPU-" + gpu + "\",device=\"nvidia" + gpu
            + "\",modelName=\"NVIDIA H100 80GB HBM3\",Hostname=\"node-07\"}";
        body.append("DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION").append(labels).append(' ').append(mj).append('\n')
            .append("DCGM_FI_DEV_POWER_USAGE").append(labels).append(' ').append(GAUGE[gpu]).append('\n');
      }
      body.append("garbage that is not a sample\n");
      byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
      x.sendResponseHeaders(200, bytes.length);
      x.getResponseBody().write(bytes);
      x.close();
    });
    exporter.start();
    Path offsets = dir.resolve("connect.offsets");
    try {
      runWorker(kafka, offsets, exporter, () -> samples(kafka, topic).size() >= 2 * 7);
      int before = samples(kafka, topic).size();
      runWorker(kafka, offsets, exporter, () -> samples(kafka, topic).size() >= before + 2 * 3);
    } finally {
      exporter.stop(0);
    }

    List<PowerSample> all = samples(kafka, topic);
    Map<String, List<PowerSample>> byGpu = all.stream().sorted(Comparator.comparing(s -> s.getTimestampMs()))
        .collect(Collectors.groupingBy(PowerSample::getGpuId, TreeMap::new, Collectors.toList()));
    assertEquals(Set.of("0", "1"), byGpu.keySet());
    for (int gpu = 0; gpu < 2; gpu++) {
      List<PowerSample> s = byGpu.get(Integer.toString(gpu));
      s.forEach(p -> System.err.printf("PowerConnectIT gpu %s %d +%d ms %.1f W%n", p.getGpuId(),
          p.getTimestampMs().toEpochMilli(), p.getIntervalMs(), p.getAvgPowerWatts()));
      int gaugeSamples = 0;
      double joules = 0;
      long ms = 0;
      for (int i = 0; i < s.size(); i++) {
        PowerSample p = s.get(i);
        assertEquals("node-07", p.getNodeId());
        if (i > 0) {
          PowerSample q = s.get(i - 1);
          assertEquals(q.getTimestampMs().toEpochMilli() + q.getIntervalMs(), p.getTimestampMs().toEpochMilli(),
              "GPU " + gpu + ": contiguous intervals, across the restart too: " + s);
        }
        if (p.getAvgPowerWatts() == GAUGE[gpu]) {
          gaugeSamples++;
        } else {
          // The exporter computes its counter when it answers, the task reads its clock before the request: each
          // interval's edges are off by the request's latency, which the next interval gives back.
          assertTrue(Math.abs(p.getAvgPowerWatts() - WATTS[gpu]) <= WATTS[gpu] * 0.25, "GPU " + gpu + ": " + p);
          joules += p.getAvgPowerWatts() * p.getIntervalMs() / 1000.0;
          ms += p.getIntervalMs();
        }
      }
      assertEquals(1, gaugeSamples, "GPU " + gpu + ": the reset interval, and only it, takes the gauge: " + s);
      assertTrue(s.stream().anyMatch(p -> p.getIntervalMs() >= 1_900), "GPU " + gpu + ": the sample after the missed "
          + "scrape spans both intervals: " + s);
      assertEquals(WATTS[gpu], joules * 1000.0 / ms, WATTS[gpu] * 0.03, "GPU " + gpu + ": energy over all intervals");
    }
    List<ConsumerRecord<String, byte[]>> ticks = records(kafka, topic).stream()
        .filter(r -> r.value() == null && r.headers().lastHeader(TickHeader.NAME) != null).toList();
    assertEquals(Set.of(0, 1, 2, 3, 4, 5), ticks.stream().map(ConsumerRecord::partition).collect(Collectors.toSet()),
        "every partition ticked");
  }

  /**
   * Four tasks on their default 15 s interval, each past its first scrape and waiting for the next: the worker stops
   * at once (Kafka Connect stops a source task only when its poll returns; a poll that waited out its interval made
   * every stop take the 5 s graceful timeout, fail it, and lose the final offset commit). Measured, with a generous
   * bound for a loaded machine.
   */
  @Test
  void shouldStopAWorkerWithFourTasksPromptly(KafkaStack kafka, @TempDir Path dir) throws Exception {
    Pipelines.createTopicsForHistory(kafka);
    AtomicInteger scrapes = new AtomicInteger();
    HttpServer exporter = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    exporter.createContext("/metrics", x -> {
      scrapes.incrementAndGet();
      byte[] body = "DCGM_FI_DEV_POWER_USAGE{gpu=\"0\"} 300\n".getBytes(StandardCharsets.UTF_8);
      x.sendResponseHeaders(200, body.length);
      x.getResponseBody().write(body);
      x.close();
    });
    exporter.start();
    try {
      String url = "http://127.0.0.1:" + exporter.getAddress().getPort() + "/metrics";
      Connect<StandaloneHerder> connect = new ConnectStandalone().startConnect(io.marginflow.ops.connect.StandaloneWorker
          .settings(kafka.bootstrapServers(), dir.resolve("connect.offsets"), "http://127.0.0.1:0"));
      Map<String, String> source = new HashMap<>(Map.of("name", "power-four", "connector.class",
          PowerSourceConnector.class.getName(), "tasks.max", "4", "endpoints",
          "node-1=" + url + ",node-2=" + url + ",node-3=" + url + ",node-4=" + url, "topic", Topics.defaults().power(),
          "topic.partitions", "6", "schema.registry.url", kafka.registryUrl()));
      FutureCallback<Herder.Created<ConnectorInfo>> created = new FutureCallback<>();
      connect.herder().putConnectorConfig("power-four", source, false, created);
      created.get();
      Records.await(Duration.ofSeconds(60), "each of the four tasks scraped once", () -> scrapes.get() >= 4);
      long start = System.nanoTime();
      connect.stop();
      connect.awaitStop();
      long stopMs = (System.nanoTime() - start) / 1_000_000;
      System.err.println("PowerConnectIT: a worker with 4 tasks stopped in " + stopMs + " ms");
      assertTrue(stopMs < 5_000, "stopped in " + stopMs + " ms (task.shutdown.graceful.timeout.ms was the floor before)");
    } finally {
      exporter.stop(0);
    }
  }

  private static void runWorker(KafkaStack kafka, Path offsets, HttpServer exporter, java.util.function.BooleanSupplier until)
      throws Exception {
    Map<String, String> worker = new HashMap<>(Map.of("bootstrap.servers", kafka.bootstrapServers(),
        "offset.storage.file.filename", offsets.toString(),
        "key.converter", "org.apache.kafka.connect.storage.StringConverter",
        "value.converter", "org.apache.kafka.connect.converters.ByteArrayConverter",
        "listeners", "http://127.0.0.1:0", "plugin.discovery", "service_load", "offset.flush.interval.ms", "500"));
    Connect<StandaloneHerder> connect = new ConnectStandalone().startConnect(worker);
    try {
      Map<String, String> source = new HashMap<>();
      source.put("name", "power-dcgm");
      source.put("connector.class", PowerSourceConnector.class.getName());
      source.put("tasks.max", "1");
      source.put("exporter", "dcgm");
      source.put("endpoints", "http://127.0.0.1:" + exporter.getAddress().getPort() + "/metrics");
      source.put("interval.ms", "1000");
      source.put("topic", Topics.defaults().power());
      source.put("topic.partitions", "6");
      source.put("schema.registry.url", kafka.registryUrl());
      FutureCallback<Herder.Created<ConnectorInfo>> created = new FutureCallback<>();
      connect.herder().putConnectorConfig("power-dcgm", source, false, created);
      created.get();
      Records.await(Duration.ofSeconds(90), "samples from the exporter", until);
    } finally {
      connect.stop();
      connect.awaitStop();
    }
  }

  private static List<ConsumerRecord<String, byte[]>> records(KafkaStack kafka, String topic) {
    return Records.readToEnd(kafka.consumerConfig("power-reader"), topic, Duration.ofSeconds(5), new StringDeserializer(),
        new ByteArrayDeserializer());
  }

  private static List<PowerSample> samples(KafkaStack kafka, String topic) {
    List<PowerSample> out = new ArrayList<>();
    try (ConfluentAvroDeserializer<PowerSample> d = new ConfluentAvroDeserializer<>(PowerSample.class)) {
      d.configure(Map.of("schema.registry.url", kafka.registryUrl()), false);
      for (ConsumerRecord<String, byte[]> r : records(kafka, topic)) {
        if (r.value() != null) {
          PowerSample s = d.deserialize(topic, r.value());
          assertEquals(s.getNodeId(), r.key(), "keyed by node (SPEC 1)");
          out.add(s);
        }
      }
    }
    return out;
  }
}

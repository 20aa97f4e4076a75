package io.marginflow.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.marginflow.avro.PowerSample;
import io.marginflow.avro.TokenUsage;
import io.marginflow.ops.demo.Demo;
import io.marginflow.ops.demo.DemoOptions;
import io.marginflow.topology.config.Topics;
import io.marginflow.topology.serde.MarginflowSerdes;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code marginflow demo --connect}: requests travel as OTLP spans through the ingest gateway (their event ids are
 * trace id + span id), and once event time reaches the clock, power travels from the fake DCGM exporters through the
 * power source connector (5 s intervals, where the demo's producer writes 15 s ones). Own JVM with the Connect tests.
 */
@Tag("connect")
class DemoIngestIT {
  @Test
  void shouldCarryUsageThroughTheGatewayAndPowerThroughTheConnector(@TempDir Path dir) throws Exception {
    DemoOptions options = new DemoOptions(dir.resolve("demo"), 0, 0, 0, Duration.ofMinutes(3), 60, 8, 3, 3, 10, true,
        Duration.ofMinutes(10)).withIngest(0, true);
    try (Demo demo = Demo.start(options, new PrintStream(OutputStream.nullOutputStream()))) {
      MarginflowSerdes serdes = new MarginflowSerdes(Map.of("schema.registry.url", demo.registryUrl()));
      Map<String, Object> consumer = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, demo.bootstrapServers(),
          ConsumerConfig.GROUP_ID_CONFIG, "demo-ingest-it");
      Topics topics = Topics.defaults();
      Records.await(Duration.ofMinutes(2), "power samples from the DCGM connector (5 s intervals)", () ->
          Records.readToEnd(consumer, topics.power(), Duration.ofSeconds(5), new StringDeserializer(),
              serdes.value(PowerSample.class).deserializer()).stream()
              .filter(r -> r.value() != null).map(r -> r.value())
              .filter(p -> p.getIntervalMs() < 10_000 && p.getGpuId().equals("0")).count() >= 2 * 3);
      List<TokenUsage> usage = Records.readToEnd(consumer, topics.usage(), Duration.ofSeconds(5), new StringDeserializer(),
          serdes.value(TokenUsage.class).deserializer()).stream().filter(r -> r.value() != null).map(r -> r.value()).toList();
      assertTrue(!usage.isEmpty() && usage.stream().allMatch(u -> u.getEventId().toString().matches("[0-9a-f]{48}")),
          "every request came through the gateway as a span (event id = trace id + span id): " + usage.size());
    }
  }
}

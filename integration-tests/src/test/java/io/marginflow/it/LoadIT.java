package io.marginflow.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.marginflow.ops.Footprint;
import io.marginflow.ops.replay.ScenarioProducer;
import io.marginflow.ops.scenario.Scenario;
import io.marginflow.ops.scenario.ScenarioGenerator;
import io.marginflow.ops.scenario.SyntheticLoad;
import io.marginflow.serde.ConfluentAvroSerializer;
import io.marginflow.topology.app.MarginflowApp;
import io.marginflow.topology.config.MarginflowConfig;
import io.marginflow.topology.config.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A sustained run through the whole pipeline, as fast as it goes, with windows and panes expiring within it
 * ({@code margins.windows=1h}, {@code margins.retention=1h}): heap after GC must level off once windows expire, and
 * RocksDB memory stay within its configured bound (256 MB block cache, memtables charged to it through a 64 MB write
 * buffer manager). 2 hours of event time (3 requests/s) for 1,000 tenants on 50 nodes in the suite ({@code -Dfault.load-hours=N},
 * {@code -Dfault.load-tenants=N} for more); the long version with 100,000 tenants is {@code bin/marginflow bench memory}
 * (docs/PERFORMANCE.md).
 */
@WithKafkaStack
@Tag("fault")
class LoadIT {
  private static final double RATE = 3;

  @Test
  void shouldKeepHeapAndRocksDbMemoryFlatOnceWindowsExpire(KafkaStack kafka, @TempDir Path dir) throws Exception {
    int hours = Integer.getInteger("fault.load-hours", 2);
    long events = (long) (hours * 3600 * RATE);
    Pipelines.createTopicsForHistory(kafka);
    Map<String, String> settings = Pipelines.settings(kafka, "load-it", dir.resolve("state"));
    settings.put(MarginflowConfig.MARGIN_WINDOWS, "1h");
    settings.put(MarginflowConfig.MARGIN_RETENTION, "1h");
    MarginflowConfig config = MarginflowConfig.of(settings);
    Topics topics = Topics.from(config);
    Instant start = Instant.now().minus(Duration.ofDays(3)).minusSeconds((long) (events / RATE));
    SyntheticLoad load = new SyntheticLoad(events, Integer.getInteger("fault.load-tenants", 1_000), 50, RATE, start, 13, 1, 60_000);
    ConfluentAvroSerializer<SpecificRecord> serializer = new ConfluentAvroSerializer<>();
    serializer.configure(Map.of("schema.registry.url", kafka.registryUrl()), false);
    long lastEventMs;
    try (ScenarioProducer producer = new ScenarioProducer(kafka.bootstrapServers(), serializer, topics, 60_000)) {
      new ScenarioGenerator(load.referenceOptions(7)).writeReference(dir.resolve("reference"));
      producer.reference(Scenario.read(dir.resolve("reference")));
      lastEventMs = load.emit(producer)[1];
      producer.tick(lastEventMs + Duration.ofHours(2).toMillis());
      producer.checkSent();
    }
    List<Footprint> samples;
    try (MarginflowApp app = MarginflowApp.start(config, 0)) {
      samples = Footprint.whileFinalizing(app, dir.resolve("state"), lastEventMs, Duration.ofMinutes(20),
          Duration.ofSeconds(3), System.nanoTime(), s -> { });
    }
    samples.forEach(s -> System.err.printf("LoadIT %5.0f s heap-after-gc %6.1f MB rss %5.0f MB memtables %5.1f MB "
        + "block-cache %6.1f MB disk %6.1f MB%n", s.seconds(), s.heapAfterGcMb(), s.rssMb(), s.memtablesMb(),
        s.blockCacheMb(), s.diskMb()));
    assertTrue(samples.size() >= 6, "a sustained run: " + samples.size() + " samples");
    List<Footprint> first = samples.subList(0, samples.size() / 2);
    List<Footprint> second = samples.subList(samples.size() / 2, samples.size());
    double firstHeap = first.stream().mapToDouble(Footprint::heapAfterGcMb).max().orElseThrow();
    double secondHeap = second.stream().mapToDouble(Footprint::heapAfterGcMb).max().orElseThrow();
    assertTrue(secondHeap <= firstHeap * 1.25 + 32, "heap after GC levels off: first half max " + firstHeap
        + " MB, second half max " + secondHeap + " MB");
    for (Footprint s : samples) {
      assertTrue(s.memtablesMb() <= 64 * 1.1, "memtables within the write buffer manager's 64 MB: " + s);
      assertTrue(s.blockCacheMb() <= 256 * 1.05, "block cache within its 256 MB bound: " + s);
    }
  }
}

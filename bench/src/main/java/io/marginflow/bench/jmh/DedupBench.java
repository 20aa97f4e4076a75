package io.marginflow.bench.jmh;

import io.marginflow.topology.ingest.Deduplicator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowStore;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

/**
 * De-duplication of a new event (check, then keep), with the packed chunks written to a RocksDB window store every
 * {@code perCommit} events, as a commit does.
 */
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class DedupBench extends HotPath {
  private static final long HORIZON = 3_600_000L;

  @Param({"100", "5000"})
  public int perCommit;

  private Path dir;
  private WindowStore<Long, byte[]> store;
  private Deduplicator dedup;
  private long i;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    dir = Files.createTempDirectory("dedup-bench");
    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, "dedup-bench");
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    p.put(StreamsConfig.STATE_DIR_CONFIG, dir.toString());
    MockProcessorContext<Object, Object> context = new MockProcessorContext<>(p, new TaskId(0, 0), dir.toFile());
    store = Stores.windowStoreBuilder(Stores.persistentWindowStore("dedup", Duration.ofMillis(4 * HORIZON),
        Duration.ofMillis(HORIZON), false), Serdes.Long(), Serdes.ByteArray()).withLoggingDisabled().build();
    store.init(context.getStateStoreContext(), store);
    dedup = new Deduplicator(store, HORIZON, 360_000L, Long.MIN_VALUE);
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    store.close();
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    }
  }

  @Benchmark
  public boolean checkAndKeepNewId() {
    long ts = Fixtures.T0 + i / 50; // 50,000 events per second of event time
    String id = "ev-" + i++;
    boolean kept = dedup.keepIfNew(id, ts, ts);
    if (i % perCommit == 0) {
      dedup.flush();
    }
    return kept;
  }
}

package io.marginflow.ops;

import io.marginflow.ops.replay.Completion;
import io.marginflow.topology.app.MarginflowApp;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.apache.kafka.common.Metric;

/**
 * One sample of a running pipeline's memory and state, for the memory benchmark and the load test: heap after a full
 * GC, RSS, RocksDB memtables and block cache (RocksDB's own properties as Kafka Streams reports them), state on disk.
 */
public record Footprint(double seconds, double heapAfterGcMb, double rssMb, double memtablesMb, double blockCacheMb,
    double diskMb) {
  private static final double MB = 1024.0 * 1024.0;

  /**
   * Samples {@code app} every {@code every} until it has closed every window holding {@code lastEventMs} (failing after
   * {@code timeout}), once at the start and once at the end; each sample also goes to {@code each} as it is taken.
   * {@code started} is the System.nanoTime() the samples' seconds count from.
   */
  public static List<Footprint> whileFinalizing(MarginflowApp app, Path stateDir, long lastEventMs, Duration timeout,
      Duration every, long started, Consumer<Footprint> each) throws IOException {
    CompletableFuture<Void> done = CompletableFuture.runAsync(() -> Completion.awaitFinal(app,
        Completion.requiredFinalThrough(lastEventMs, app.topologyConfig()), timeout,
        new PrintStream(OutputStream.nullOutputStream())));
    List<Footprint> samples = new ArrayList<>();
    while (true) {
      Footprint f = sample(app, stateDir, started);
      samples.add(f);
      each.accept(f);
      if (done.isDone()) {
        done.join();
        return samples;
      }
      try {
        done.get(every.toMillis(), TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        // the next sample is due
      } catch (ExecutionException e) {
        throw new IllegalStateException("The pipeline did not finish", e.getCause());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }

  /** Samples {@code app} (state under {@code stateDir}); {@code started} is the System.nanoTime() of the run's start. */
  public static Footprint sample(MarginflowApp app, Path stateDir, long started) throws IOException {
    System.gc();
    double heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / MB;
    double memtables = 0;
    double blockCache = 0;
    for (Metric m : app.streams().metrics().values()) {
      if (!"stream-state-metrics".equals(m.metricName().group()) || !(m.metricValue() instanceof Number n)) {
        continue;
      }
      switch (m.metricName().name()) {
        case "size-all-mem-tables" -> memtables += n.doubleValue();
        // One cache shared by every store: each reports the same usage.
        case "block-cache-usage" -> blockCache = Math.max(blockCache, n.doubleValue());
        default -> { }
      }
    }
    return new Footprint((System.nanoTime() - started) / 1e9, heap, currentRssMb(), memtables / MB, blockCache / MB,
        diskBytes(stateDir) / MB);
  }

  private static double currentRssMb() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
      }
    }
    return 0;
  }

  /** Bytes under {@code dir}; RocksDB deletes files while this walks, and those are skipped. */
  private static long diskBytes(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return 0;
    }
    long[] total = {0};
    Files.walkFileTree(dir, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
        total[0] += attrs.size();
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFileFailed(Path file, IOException e) {
        return FileVisitResult.CONTINUE;
      }
    });
    return total[0];
  }
}

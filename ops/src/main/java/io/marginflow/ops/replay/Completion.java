package io.marginflow.ops.replay;

import io.marginflow.topology.progress.Markers;
import io.marginflow.topology.store.StoreNames;
import io.marginflow.topology.app.MarginflowApp;
import io.marginflow.topology.config.TopologyConfig;
import io.marginflow.topology.config.WindowSpec;
import io.marginflow.topology.margin.MarginPanes;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/** When a pipeline has closed every window of the data it was given: the margin tasks' low watermark has passed them. */
public final class Completion {
  private Completion() {
  }

  /** The low watermark the margin tasks must reach for every window holding {@code lastEventMs} to be closed. */
  public static long requiredFinalThrough(long lastEventMs, TopologyConfig shape) {
    long required = Long.MIN_VALUE;
    for (WindowSpec w : shape.windows()) {
      long lastStart = Math.floorDiv(lastEventMs, w.advanceMs()) * w.advanceMs();
      required = Math.max(required, lastStart + w.sizeMs());
    }
    return required;
  }

  /** Waits until every margin partition is final through {@code target}; fails after {@code timeout}. */
  public static void awaitFinal(MarginflowApp app, long target, Duration timeout, PrintStream progress) {
    awaitFinal(List.of(app), target, timeout, progress);
  }

  /** As {@link #awaitFinal(MarginflowApp, long, Duration, PrintStream)}, over instances that share the partitions. */
  public static void awaitFinal(List<MarginflowApp> apps, long target, Duration timeout, PrintStream progress) {
    long deadline = System.nanoTime() + timeout.toNanos();
    long reported = Long.MIN_VALUE;
    while (true) {
      long through = finalThrough(apps);
      if (through >= target) {
        return;
      }
      if (through != reported && through != Long.MIN_VALUE) {
        progress.printf("windows closed through %s (need %s)%n", Instant.ofEpochMilli(through), Instant.ofEpochMilli(target));
        reported = through;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("Windows not closed within " + timeout);
      }
      LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
    }
  }

  /** How many margin records the margin tasks have emitted, over all partitions (read through the store caches). */
  public static long emitted(MarginflowApp app) {
    long total = 0;
    for (int p = 0; p < app.topologyConfig().inputPartitions(); p++) {
      total += MarginPanes.emittedCount(progressStore(app, p).get(Markers.MARGIN_EMITTED));
    }
    return total;
  }

  private static ReadOnlyKeyValueStore<String, Long> progressStore(MarginflowApp app, int partition) {
    return progressStore(app, StoreNames.MARGIN_PROGRESS, partition);
  }

  private static ReadOnlyKeyValueStore<String, Long> progressStore(MarginflowApp app, String store, int partition) {
    return app.streams().store(StoreQueryParameters.fromNameAndType(store,
        QueryableStoreTypes.<String, Long>keyValueStore()).withPartition(partition));
  }

  /**
   * Waits until every pricing partition has published the intervals ending at or before {@code target} (they close on
   * the same attribution progress as the margin windows, a moment later); returns how many unit-cost records the
   * pricing tasks have published in all.
   */
  public static long awaitUnitCosts(MarginflowApp app, long target, Duration timeout) {
    long interval = app.topologyConfig().pricing().intervalMs();
    long needed = Math.floorDiv(target, interval) * interval;
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      long total = 0;
      boolean done = true;
      for (int p = 0; p < app.topologyConfig().inputPartitions(); p++) {
        ReadOnlyKeyValueStore<String, Long> s = progressStore(app, StoreNames.PRICING_PROGRESS, p);
        Long closed = s.get(Markers.PRICING_CLOSED_THROUGH);
        Long emitted = s.get(Markers.PRICING_EMITTED);
        done &= closed != null && closed >= needed;
        total += emitted == null ? 0 : emitted;
      }
      if (done) {
        return total;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("Pricing intervals not closed within " + timeout);
      }
      LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
    }
  }

  /** The least margin low watermark over all margin partitions, or Long.MIN_VALUE while one is unknown. */
  public static long finalThrough(MarginflowApp app) {
    return finalThrough(List.of(app));
  }

  /**
   * The least margin low watermark over all margin partitions, each read on whichever of {@code apps} hosts it as an
   * active task, or Long.MIN_VALUE while one is unknown or hosted nowhere yet.
   */
  public static long finalThrough(List<MarginflowApp> apps) {
    long min = Long.MAX_VALUE;
    for (int p = 0; p < apps.get(0).topologyConfig().inputPartitions(); p++) {
      Long v = null;
      for (MarginflowApp app : apps) {
        try {
          v = progressStore(app, p).get(Markers.MARGIN_FINAL_THROUGH);
          break;
        } catch (InvalidStateStoreException e) {
          // not hosted here (or not yet): try the next instance
        }
      }
      if (v == null) {
        return Long.MIN_VALUE;
      }
      min = Math.min(min, v);
    }
    return min;
  }
}

package io.marginflow.topology.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * How far each input partition's stream time (its watermark) is behind the wall clock:
 * {@code marginflow_watermark_lag_seconds{source, partition}}, every usage and power partition registered when the
 * query API starts (NaN until this instance has processed the partition). A partition whose lag keeps growing while
 * the others' does not has stopped sending records and ticks, and holds every window open. Updated by the ingest
 * processors of this instance; passed to them among the Kafka Streams settings ({@link #CONFIG}).
 */
public final class WatermarkLag implements MeterBinder {
  /** The key under which the app passes this object to its processors through the Kafka Streams settings. */
  public static final String CONFIG = "marginflow.watermark.lag";
  public static final String METRIC = "marginflow.watermark.lag";
  private final Map<String, AtomicLong> streamTimes = new TreeMap<>();
  private final LongSupplier wallClock;

  public WatermarkLag(int partitions, LongSupplier wallClock) {
    this.wallClock = wallClock;
    for (String source : new String[] {"usage", "power"}) {
      for (int p = 0; p < partitions; p++) {
        streamTimes.put(key(source, p), new AtomicLong(Long.MIN_VALUE));
      }
    }
  }

  private static String key(String source, int partition) {
    return source + ":" + partition;
  }

  /** Records the stream time of {@code source} partition {@code partition}. */
  public void update(String source, int partition, long streamTimeMs) {
    AtomicLong t = streamTimes.get(key(source, partition));
    if (t != null) {
      t.set(streamTimeMs);
    }
  }

  /** Seconds behind the wall clock, NaN while unknown here. */
  public double lagSeconds(String source, int partition) {
    AtomicLong t = streamTimes.get(key(source, partition));
    long v = t == null ? Long.MIN_VALUE : t.get();
    return v == Long.MIN_VALUE ? Double.NaN : (wallClock.getAsLong() - v) / 1000.0;
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    streamTimes.keySet().forEach(k -> {
      String source = k.substring(0, k.indexOf(':'));
      int partition = Integer.parseInt(k.substring(k.indexOf(':') + 1));
      Gauge.builder(METRIC, this, w -> w.lagSeconds(source, partition)).baseUnit("seconds")
          .description("Wall clock minus the input partition's stream time (event time) on this instance")
          .tag("source", source).tag("partition", Integer.toString(partition)).register(registry);
    });
  }
}

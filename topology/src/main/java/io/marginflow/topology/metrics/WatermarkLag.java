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
  /** No stream time known here (yet). */
  private static final long UNKNOWN = Long.MIN_VALUE;
  private final Map<Partition, AtomicLong> streamTimes = new TreeMap<>();
  private final LongSupplier wallClock;

  private record Partition(String source, int partition) implements Comparable<Partition> {
    @Override
    public int compareTo(Partition o) {
      int c = source.compareTo(o.source);
      return c != 0 ? c : Integer.compare(partition, o.partition);
    }
  }

  public WatermarkLag(int partitions, LongSupplier wallClock) {
    this.wallClock = wallClock;
    for (String source : new String[] {"usage", "power"}) {
      for (int p = 0; p < partitions; p++) {
        streamTimes.put(new Partition(source, p), new AtomicLong(UNKNOWN));
      }
    }
  }

  /**
   * Where {@code source} partition {@code partition} records its stream time: looked up once per task, then written on
   * every advance. A partition this app does not have gets a slot no gauge reads.
   */
  public AtomicLong slot(String source, int partition) {
    AtomicLong t = streamTimes.get(new Partition(source, partition));
    return t != null ? t : new AtomicLong(UNKNOWN);
  }

  /** Seconds behind the wall clock, NaN while unknown here. */
  public double lagSeconds(String source, int partition) {
    return lagSeconds(slot(source, partition));
  }

  private double lagSeconds(AtomicLong streamTime) {
    long v = streamTime.get();
    return v == UNKNOWN ? Double.NaN : (wallClock.getAsLong() - v) / 1000.0;
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    streamTimes.forEach((p, streamTime) -> Gauge.builder(METRIC, streamTime, this::lagSeconds).baseUnit("seconds")
        .description("Wall clock minus the input partition's stream time (event time) on this instance")
        .tag("source", p.source()).tag("partition", Integer.toString(p.partition())).register(registry));
  }
}

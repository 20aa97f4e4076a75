package io.marginflow.topology.metrics;

import io.marginflow.avro.BudgetAlertKind;
import io.marginflow.avro.CapacityAlertKind;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The pipeline's own meters (README, Metrics), shared by every task of an instance: records in, dead letters by reason,
 * late records, duplicates, buckets finalized, idle share per node, unpriced requests, unknown nodes, alerts by kind,
 * price adjustments, and how long after a window's end its margin record was written. Every counter exists at zero
 * from the start, so that a rate alert works before the first bad record. Processors find it in their context's
 * application configs under {@link #CONFIG}.
 */
public final class PipelineMeters implements MeterBinder {
  public static final String CONFIG = "marginflow.pipeline.meters";
  public static final List<String> SOURCES = List.of("usage", "power");
  /** SPEC 2's reasons: all at zero for both sources. */
  public static final List<String> REASONS = io.marginflow.topology.domain.Rejection.REASONS;

  /** A counter: its name and tags. */
  private record Key(String name, Tags tags) {
  }

  private final Map<Key, LongAdder> counters = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> idleShareMillionths = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> powerSamples = new ConcurrentHashMap<>();
  private final java.util.concurrent.atomic.DoubleAdder revenueUsd = new java.util.concurrent.atomic.DoubleAdder();
  private final java.util.concurrent.atomic.DoubleAdder costUsd = new java.util.concurrent.atomic.DoubleAdder();
  private volatile MeterRegistry registry;
  private volatile DistributionSummary marginLag;

  /** Meters for an application whose usage and power topics are {@code usageTopic} and {@code powerTopic}. */
  public PipelineMeters(String usageTopic, String powerTopic) {
    adder("marginflow.records.in", "source", "usage", "topic", usageTopic);
    adder("marginflow.records.in", "source", "power", "topic", powerTopic);
    for (String source : SOURCES) {
      adder("marginflow.late.records", "source", source);
      adder("marginflow.duplicates", "source", source);
      for (String reason : REASONS) {
        adder("marginflow.dead.letters", "source", source, "reason", reason);
      }
    }
    adder("marginflow.buckets.finalized");
    adder("marginflow.unpriced.requests");
    adder("marginflow.unknown.node.buckets");
    for (BudgetAlertKind k : BudgetAlertKind.values()) {
      adder("marginflow.alerts", "kind", k.name());
    }
    for (CapacityAlertKind k : CapacityAlertKind.values()) {
      adder("marginflow.alerts", "kind", k.name());
    }
    adder("marginflow.price.adjustments", "direction", "up");
    adder("marginflow.price.adjustments", "direction", "down");
  }

  /** A counter's adder: the name, then tag pairs. */
  private LongAdder adder(String name, String... tags) {
    return counters.computeIfAbsent(new Key(name, Tags.of(tags)), k -> {
      LongAdder a = new LongAdder();
      MeterRegistry r = registry;
      if (r != null) {
        register(r, k, a);
      }
      return a;
    });
  }

  public void recordIn(String source, String topic) {
    adder("marginflow.records.in", "source", source, "topic", topic).increment();
  }

  public void deadLetter(String source, String reason) {
    adder("marginflow.dead.letters", "source", source, "reason", reason).increment();
  }

  public void late(String source) {
    adder("marginflow.late.records", "source", source).increment();
  }

  public void duplicate(String source) {
    adder("marginflow.duplicates", "source", source).increment();
  }

  public void unpriced() {
    adder("marginflow.unpriced.requests").increment();
  }

  public void unknownNodeBucket() {
    adder("marginflow.unknown.node.buckets").increment();
  }

  /**
   * A node bucket finalized: {@code idleShare} of its cost went to {@code __idle__} (0..1), from {@code samples} power
   * samples (0: the node reported no telemetry for it).
   */
  public void bucketFinalized(String node, double idleShare, long samples) {
    adder("marginflow.buckets.finalized").increment();
    nodeGauge(idleShareMillionths, node).set(Math.round(idleShare * 1_000_000));
    nodeGauge(powerSamples, node).set(samples);
  }

  private AtomicLong nodeGauge(Map<String, AtomicLong> gauges, String node) {
    return gauges.computeIfAbsent(node, n -> {
      AtomicLong v = new AtomicLong();
      MeterRegistry r = registry;
      if (r != null) {
        nodeGauges(r, gauges == powerSamples, n, v);
      }
      return v;
    });
  }

  /** A final tumbling-window margin record (the smallest window): its revenue and cost add to the fleet's totals. */
  public void marginFinal(double revenue, double cost) {
    revenueUsd.add(revenue);
    costUsd.add(cost);
  }

  public void alert(String kind) {
    adder("marginflow.alerts", "kind", kind).increment();
  }

  public void priceAdjustment(boolean up) {
    adder("marginflow.price.adjustments", "direction", up ? "up" : "down").increment();
  }

  /** A final margin record written {@code seconds} (wall clock) after its window's end. */
  public void marginLag(double seconds) {
    DistributionSummary s = marginLag;
    if (s != null) {
      s.record(Math.max(0, seconds));
    }
  }

  /** The count so far of a counter (tests). */
  public long count(String name, String... tags) {
    LongAdder a = counters.get(new Key(name, Tags.of(tags)));
    return a == null ? 0 : a.sum();
  }

  @Override
  public synchronized void bindTo(MeterRegistry r) {
    counters.forEach((key, adder) -> register(r, key, adder));
    idleShareMillionths.forEach((node, v) -> nodeGauges(r, false, node, v));
    powerSamples.forEach((node, v) -> nodeGauges(r, true, node, v));
    FunctionCounter.builder("marginflow.revenue.usd", revenueUsd, java.util.concurrent.atomic.DoubleAdder::sum)
        .description("Revenue of the final margin records (smallest tumbling window), USD").register(r);
    FunctionCounter.builder("marginflow.cost.usd", costUsd, java.util.concurrent.atomic.DoubleAdder::sum)
        .description("Cost of the final margin records (smallest tumbling window, idle included), USD").register(r);
    marginLag = DistributionSummary.builder("marginflow.margin.lag").baseUnit("seconds")
        .description("Wall-clock time from a margin window's end to its final record")
        .serviceLevelObjectives(1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600).register(r);
    registry = r;
  }

  private static void register(MeterRegistry r, Key key, LongAdder adder) {
    FunctionCounter.builder(key.name(), adder, LongAdder::doubleValue).tags(key.tags()).register(r);
  }

  private static void nodeGauges(MeterRegistry r, boolean samples, String node, AtomicLong v) {
    if (samples) {
      Gauge.builder("marginflow.node.power.samples", v, AtomicLong::get).tag("node", node)
          .description("Power samples in the node's last finalized bucket (0: no telemetry)").register(r);
    } else {
      Gauge.builder("marginflow.node.idle.share", v, x -> x.get() / 1_000_000.0).tag("node", node)
          .description("Share of the node's cost that went to __idle__ in its last finalized bucket").register(r);
    }
  }
}

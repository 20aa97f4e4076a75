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
  /** SPEC 2's reasons (and this implementation's FIELD_TOO_LONG): all at zero for both sources. */
  public static final List<String> REASONS = List.of("DESERIALIZATION", "NULL_VALUE", "MISSING_FIELD", "NEGATIVE_TOKENS",
      "CACHED_EXCEEDS_INPUT", "POWER_OUT_OF_RANGE", "INTERVAL_OUT_OF_RANGE", "TIMESTAMP_TOO_OLD", "FUTURE_TIMESTAMP",
      "FIELD_TOO_LONG");

  private final Map<Tags, LongAdder> counters = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> idleShareMillionths = new ConcurrentHashMap<>();
  private volatile MeterRegistry registry;
  private volatile DistributionSummary marginLag;

  public PipelineMeters() {
    for (String source : SOURCES) {
      adder("marginflow.records.in", "source", source);
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
    Tags key = Tags.of("__name", name).and(tags);
    return counters.computeIfAbsent(key, k -> {
      LongAdder a = new LongAdder();
      MeterRegistry r = registry;
      if (r != null) {
        register(r, k, a);
      }
      return a;
    });
  }

  public void recordIn(String source) {
    adder("marginflow.records.in", "source", source).increment();
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

  /** A node bucket finalized; {@code idleShare} of its cost went to {@code __idle__} (0..1). */
  public void bucketFinalized(String node, double idleShare) {
    adder("marginflow.buckets.finalized").increment();
    idleShareMillionths.computeIfAbsent(node, n -> {
      AtomicLong v = new AtomicLong();
      MeterRegistry r = registry;
      if (r != null) {
        idleGauge(r, n, v);
      }
      return v;
    }).set(Math.round(idleShare * 1_000_000));
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
    LongAdder a = counters.get(Tags.of("__name", name).and(tags));
    return a == null ? 0 : a.sum();
  }

  @Override
  public synchronized void bindTo(MeterRegistry r) {
    counters.forEach((key, adder) -> register(r, key, adder));
    idleShareMillionths.forEach((node, v) -> idleGauge(r, node, v));
    marginLag = DistributionSummary.builder("marginflow.margin.lag").baseUnit("seconds")
        .description("Wall-clock time from a margin window's end to its final record")
        .serviceLevelObjectives(1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600).register(r);
    registry = r;
  }

  private static void register(MeterRegistry r, Tags key, LongAdder adder) {
    String name = key.stream().filter(t -> t.getKey().equals("__name")).findFirst().orElseThrow().getValue();
    Tags tags = Tags.of(key.stream().filter(t -> !t.getKey().equals("__name")).toList());
    FunctionCounter.builder(name, adder, LongAdder::doubleValue).tags(tags).register(r);
  }

  private static void idleGauge(MeterRegistry r, String node, AtomicLong millionths) {
    Gauge.builder("marginflow.node.idle.share", millionths, v -> v.get() / 1_000_000.0).tag("node", node)
        .description("Share of the node's cost that went to __idle__ in its last finalized bucket").register(r);
  }
}

package io.marginflow.topology.attribution;

import io.marginflow.avro.CapacityAlert;
import io.marginflow.avro.CapacityAlertKind;
import io.marginflow.avro.internal.NodeBucketSummary;
import io.marginflow.topology.config.TopologyConfig;
import io.marginflow.topology.budget.BudgetRules;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.WindowStore;

/**
 * ZOMBIE_NODE (SPEC 6, alerts.capacity.v1): when finalization passes the end of an alerts.zombie.window (1h, aligned to
 * the epoch), every node of this partition whose cost over that window went at least alerts.zombie.idle-share to
 * {@code __idle__} (GPUs drawing power and money while serving nothing) is alerted once, from the finalized buckets'
 * summaries in the node energy store.
 */
final class ZombieNodes {
  /** How far back the first finalization of a task looks for closed windows. */
  private static final long FIRST_LOOKBACK_MS = 2 * 86_400_000L;
  private final long windowMs;
  private final long bucketMs;
  private final BigDecimal idleShare;
  private final WindowStore<String, NodeBucketSummary> summaries;

  ZombieNodes(TopologyConfig config, WindowStore<String, NodeBucketSummary> summaries) {
    this.windowMs = config.zombieWindowMs();
    this.bucketMs = config.bucketMs();
    this.idleShare = BigDecimal.valueOf(config.zombieIdleShare());
    this.summaries = summaries;
  }

  /** The alerts of the windows whose end lies in (previousThroughMs, throughMs]: all of their buckets are final. */
  List<CapacityAlert> closed(long previousThroughMs, long throughMs) {
    long after = previousThroughMs == Long.MIN_VALUE ? throughMs - FIRST_LOOKBACK_MS : previousThroughMs;
    List<CapacityAlert> alerts = new ArrayList<>();
    for (long end = Math.floorDiv(after, windowMs) * windowMs + windowMs; end <= throughMs; end += windowMs) {
      alerts.addAll(window(end - windowMs, end));
    }
    return alerts;
  }

  private List<CapacityAlert> window(long start, long end) {
    Map<String, BigDecimal[]> costs = new TreeMap<>();
    try (KeyValueIterator<Windowed<String>, NodeBucketSummary> it = summaries.fetchAll(Instant.ofEpochMilli(start),
        Instant.ofEpochMilli(end - bucketMs))) {
      while (it.hasNext()) {
        KeyValue<Windowed<String>, NodeBucketSummary> kv = it.next();
        BigDecimal[] c = costs.computeIfAbsent(kv.key.key(), k -> new BigDecimal[] {BigDecimal.ZERO, BigDecimal.ZERO});
        c[0] = c[0].add(kv.value.getTotalCostUsd());
        c[1] = c[1].add(kv.value.getIdleCostUsd());
      }
    }
    List<CapacityAlert> alerts = new ArrayList<>();
    costs.forEach((node, c) -> {
      if (c[0].signum() > 0 && c[1].compareTo(c[0].multiply(idleShare)) >= 0) {
        double share = c[1].divide(c[0], MathContext.DECIMAL64).doubleValue();
        alerts.add(CapacityAlert.newBuilder()
            .setAlertId(BudgetRules.alertId(node, "ZOMBIE_NODE", start, CapacityAlertKind.ZOMBIE_NODE + "|" + windowMs))
            .setKind(CapacityAlertKind.ZOMBIE_NODE).setNodeId(node).setWindowStartMs(Instant.ofEpochMilli(start))
            .setWindowEndMs(Instant.ofEpochMilli(end)).setNodeCostUsd(c[0].setScale(9, RoundingMode.HALF_EVEN))
            .setIdleCostUsd(c[1].setScale(9, RoundingMode.HALF_EVEN)).setIdleShare(share)
            .setObservedAtMs(Instant.ofEpochMilli(end)).build());
      }
    });
    return alerts;
  }
}

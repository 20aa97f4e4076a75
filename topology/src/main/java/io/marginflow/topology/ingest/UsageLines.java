package io.marginflow.topology.ingest;

import io.marginflow.avro.internal.PartitionLoad;
import io.marginflow.avro.internal.PackedLine;
import io.marginflow.avro.internal.UsageLine;
import io.marginflow.avro.internal.UsageLinePack;
import io.marginflow.topology.domain.Weights;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Requests accepted by one usage partition and not yet sent on, summed per attribution line (bucket, node, tenant,
 * model, region). Sending sums instead of requests makes the repartition by node carry one record per line and flush
 * instead of one per request; the sums are exact (integers and decimals added without rounding), so the attribution
 * adds them to its lines with the same result as request by request.
 */
public final class UsageLines {
  private static final int SCALE = 18;

  /** A line's identity: requests of the same key are summed. */
  private record Key(long bucketStartMs, String node, String tenant, String model, String region) {
  }

  /** A (bucket, node): the unit a partition's load is sent by. */
  private record NodeBucket(long bucketStartMs, String node) {
    static final Comparator<NodeBucket> ORDER = Comparator.comparingLong(NodeBucket::bucketStartMs)
        .thenComparing(NodeBucket::node);
  }

  /** (tenant, model, region): the order a node bucket's lines are split in. */
  private static final Comparator<PackedLine> LINE_ORDER = Comparator.comparing(PackedLine::getTenantId)
      .thenComparing(PackedLine::getModel).thenComparing(PackedLine::getRegion);

  private final Map<Key, UsageLine> pending = new HashMap<>();
  private final Weights weights;

  public UsageLines(Weights weights) {
    this.weights = weights;
  }

  /** Adds one request (revenue at scale 18, as priced) to its line. */
  public void add(long bucketStartMs, String node, String tenant, String model, String region, long inputTokens,
      long cachedInputTokens, long outputTokens, BigDecimal revenueUsd, boolean priced) {
    UsageLine line = pending.computeIfAbsent(new Key(bucketStartMs, node, tenant, model, region),
        k -> UsageLine.newBuilder().setBucketStartMs(Instant.ofEpochMilli(bucketStartMs)).setNodeId(node).setTenantId(tenant)
            .setModel(model).setRegion(region).setRequests(0).setInputTokens(0).setCachedInputTokens(0).setOutputTokens(0)
            .setUnpricedRequests(0).setWeight(BigDecimal.ZERO.setScale(SCALE)).setRevenueUsd(BigDecimal.ZERO.setScale(SCALE))
            .build());
    line.setRequests(Math.addExact(line.getRequests(), 1));
    line.setInputTokens(Math.addExact(line.getInputTokens(), inputTokens));
    line.setCachedInputTokens(Math.addExact(line.getCachedInputTokens(), cachedInputTokens));
    line.setOutputTokens(Math.addExact(line.getOutputTokens(), outputTokens));
    line.setUnpricedRequests(Math.addExact(line.getUnpricedRequests(), (priced ? 0 : 1)));
    line.setWeight(line.getWeight().add(weights.of(inputTokens, cachedInputTokens, outputTokens))
        .setScale(SCALE, RoundingMode.HALF_EVEN));
    line.setRevenueUsd(line.getRevenueUsd().add(revenueUsd).setScale(SCALE, RoundingMode.HALF_EVEN));
  }

  public boolean isEmpty() {
    return pending.isEmpty();
  }

  public int size() {
    return pending.size();
  }

  /**
   * {@code lines} summed per (bucket, node) as usage partition {@code partition}'s loads,
   * in (bucket, node) order.
   */
  public static List<PartitionLoad> loads(List<UsageLine> lines, int partition) {
    Map<NodeBucket, PartitionLoad> loads = new TreeMap<>(NodeBucket.ORDER);
    for (UsageLine l : lines) {
      long start = l.getBucketStartMs().toEpochMilli();
      PartitionLoad load = loads.computeIfAbsent(new NodeBucket(start, l.getNodeId()),
          k -> PartitionLoad.newBuilder().setBucketStartMs(l.getBucketStartMs()).setNodeId(l.getNodeId())
              .setSourcePartition(partition).setRequests(0).setInputTokens(0).setCachedInputTokens(0).setOutputTokens(0)
              .setWeight(BigDecimal.ZERO.setScale(SCALE)).build());
      load.setRequests(Math.addExact(load.getRequests(), l.getRequests()));
      load.setInputTokens(Math.addExact(load.getInputTokens(), l.getInputTokens()));
      load.setCachedInputTokens(Math.addExact(load.getCachedInputTokens(), l.getCachedInputTokens()));
      load.setOutputTokens(Math.addExact(load.getOutputTokens(), l.getOutputTokens()));
      load.setWeight(load.getWeight().add(l.getWeight()));
    }
    return new ArrayList<>(loads.values());
  }

  /**
   * {@code lines} as packs of at most {@code maxLines} lines per (bucket, node), in (bucket, node) order and each
   * pack's lines in (tenant, model, region) order (what a usage partition keeps of one
   * commit's lines).
   */
  public static List<UsageLinePack> packs(List<UsageLine> lines, int maxLines) {
    Map<NodeBucket, List<PackedLine>> byBucket = new TreeMap<>(NodeBucket.ORDER);
    for (UsageLine l : lines) {
      byBucket.computeIfAbsent(new NodeBucket(l.getBucketStartMs().toEpochMilli(), l.getNodeId()), k -> new ArrayList<>())
          .add(new PackedLine(l.getTenantId(), l.getModel(), l.getRegion(), l.getRequests(), l.getInputTokens(),
              l.getCachedInputTokens(), l.getOutputTokens(), l.getUnpricedRequests(), l.getWeight(), l.getRevenueUsd()));
    }
    List<UsageLinePack> packs = new ArrayList<>();
    for (Map.Entry<NodeBucket, List<PackedLine>> e : byBucket.entrySet()) {
      List<PackedLine> all = e.getValue();
      all.sort(LINE_ORDER);
      for (int from = 0; from < all.size(); from += maxLines) {
        packs.add(new UsageLinePack(Instant.ofEpochMilli(e.getKey().bucketStartMs()), e.getKey().node(),
            new ArrayList<>(all.subList(from, Math.min(all.size(), from + maxLines)))));
      }
    }
    return packs;
  }

  /**
   * The lines of {@code packs} (all of one (bucket, node)), summed per (tenant, model, region), in that order: exact
   * sums, so the same whatever the packs' order.
   */
  public static List<PackedLine> unpack(Iterable<UsageLinePack> packs) {
    Map<PackedLine, PackedLine> sums = new TreeMap<>(LINE_ORDER);
    for (UsageLinePack pack : packs) {
      for (PackedLine l : pack.getLines()) {
        PackedLine kept = sums.get(l);
        if (kept == null) {
          sums.put(l, PackedLine.newBuilder(l).build());
        } else {
          kept.setRequests(Math.addExact(kept.getRequests(), l.getRequests()));
          kept.setInputTokens(Math.addExact(kept.getInputTokens(), l.getInputTokens()));
          kept.setCachedInputTokens(Math.addExact(kept.getCachedInputTokens(), l.getCachedInputTokens()));
          kept.setOutputTokens(Math.addExact(kept.getOutputTokens(), l.getOutputTokens()));
          kept.setUnpricedRequests(Math.addExact(kept.getUnpricedRequests(), l.getUnpricedRequests()));
          kept.setWeight(kept.getWeight().add(l.getWeight()));
          kept.setRevenueUsd(kept.getRevenueUsd().add(l.getRevenueUsd()));
        }
      }
    }
    return new ArrayList<>(sums.values());
  }

  /** The pending lines, in no particular order, and forgets them. */
  public List<UsageLine> drain() {
    List<UsageLine> lines = new ArrayList<>(pending.values());
    pending.clear();
    return lines;
  }
}

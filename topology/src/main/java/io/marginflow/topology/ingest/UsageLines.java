package io.marginflow.topology.ingest;

import io.marginflow.avro.internal.PartitionLoad;
import io.marginflow.avro.internal.UsageLine;
import io.marginflow.topology.domain.Weights;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.ArrayList;
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
    static final java.util.Comparator<NodeBucket> ORDER = java.util.Comparator.comparingLong(NodeBucket::bucketStartMs)
        .thenComparing(NodeBucket::node);
  }

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
   * {@code lines} summed per (bucket, node) as usage partition {@code partition}'s loads (attribution.split=two-level),
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

  /** {@code kept} with {@code more} of the same line added (both exact sums; integers checked for overflow). */
  public static UsageLine sum(UsageLine kept, UsageLine more) {
    return UsageLine.newBuilder(kept).setRequests(Math.addExact(kept.getRequests(), more.getRequests()))
        .setInputTokens(Math.addExact(kept.getInputTokens(), more.getInputTokens()))
        .setCachedInputTokens(Math.addExact(kept.getCachedInputTokens(), more.getCachedInputTokens()))
        .setOutputTokens(Math.addExact(kept.getOutputTokens(), more.getOutputTokens()))
        .setUnpricedRequests(Math.addExact(kept.getUnpricedRequests(), more.getUnpricedRequests()))
        .setWeight(kept.getWeight().add(more.getWeight())).setRevenueUsd(kept.getRevenueUsd().add(more.getRevenueUsd()))
        .build();
  }

  /** The pending lines, in no particular order, and forgets them. */
  public List<UsageLine> drain() {
    List<UsageLine> lines = new ArrayList<>(pending.values());
    pending.clear();
    return lines;
  }
}

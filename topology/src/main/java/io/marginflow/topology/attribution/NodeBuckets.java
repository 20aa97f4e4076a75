package io.marginflow.topology.attribution;

import io.marginflow.avro.internal.BucketLineState;
import io.marginflow.avro.internal.NodeBucketState;
import io.marginflow.avro.internal.PartitionLoad;
import io.marginflow.avro.internal.PowerReading;
import io.marginflow.avro.internal.UsageLine;
import io.marginflow.topology.domain.BucketCost;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.ArrayList;

/** Adding requests to a bucket line and power samples to a bucket (the stored states, mutated in place). */
final class NodeBuckets {
  private static final int SCALE = 18;

  private NodeBuckets() {
  }

  /** A node bucket's power accumulator, before its first sample (its request lines are stored one by one). */
  static NodeBucketState empty(String node, long bucketStart) {
    return NodeBucketState.newBuilder().setNodeId(node).setBucketStartMs(Instant.ofEpochMilli(bucketStart))
        .setItEnergyJoules(BigDecimal.ZERO.setScale(SCALE)).setPowerSamples(0).setPowerWattsSum(0)
        .setSampleKeys(new ArrayList<>()).setLines(new ArrayList<>()).build();
  }

  /** A (tenant, model, region) line before its first request. */
  static BucketLineState emptyLine(String tenant, String model, String region) {
    return BucketLineState.newBuilder().setTenantId(tenant).setModel(model).setRegion(region).setRequests(0)
        .setInputTokens(0).setCachedInputTokens(0).setOutputTokens(0).setUnpricedRequests(0)
        .setWeight(BigDecimal.ZERO.setScale(SCALE)).setRevenueUsd(BigDecimal.ZERO.setScale(SCALE)).build();
  }

  /** Adds a sample unless the bucket already has one for the same GPU and time; false for a duplicate. */
  static boolean addPower(NodeBucketState bucket, PowerReading p) {
    String key = p.getGpuId() + "|" + p.getTimestampMs().toEpochMilli();
    if (bucket.getSampleKeys().contains(key)) {
      return false;
    }
    bucket.getSampleKeys().add(key);
    bucket.setItEnergyJoules(bucket.getItEnergyJoules().add(BucketCost.joules(p.getAvgPowerWatts(), p.getIntervalMs()))
        .setScale(SCALE, RoundingMode.HALF_EVEN));
    bucket.setPowerSamples(bucket.getPowerSamples() + 1);
    bucket.setPowerWattsSum(bucket.getPowerWattsSum() + p.getAvgPowerWatts());
    return true;
  }

  /** Adds requests summed upstream to their line. */
  static void addLine(BucketLineState line, UsageLine u) {
    line.setRequests(Math.addExact(line.getRequests(), u.getRequests()));
    line.setInputTokens(Math.addExact(line.getInputTokens(), u.getInputTokens()));
    line.setCachedInputTokens(Math.addExact(line.getCachedInputTokens(), u.getCachedInputTokens()));
    line.setOutputTokens(Math.addExact(line.getOutputTokens(), u.getOutputTokens()));
    line.setUnpricedRequests(Math.addExact(line.getUnpricedRequests(), u.getUnpricedRequests()));
    line.setWeight(line.getWeight().add(u.getWeight()).setScale(SCALE, RoundingMode.HALF_EVEN));
    line.setRevenueUsd(line.getRevenueUsd().add(u.getRevenueUsd()).setScale(SCALE, RoundingMode.HALF_EVEN));
  }

  /**
   * A usage partition's load as a line of its node bucket (the two-level split): the tenant is the partition,
   * zero-padded so that lines sort in partition order, model and region empty, no revenue (the usage task has it).
   */
  static UsageLine lineOf(PartitionLoad l) {
    return UsageLine.newBuilder().setBucketStartMs(l.getBucketStartMs()).setNodeId(l.getNodeId())
        .setTenantId(partitionLine(l.getSourcePartition())).setModel("").setRegion("").setRequests(l.getRequests())
        .setInputTokens(l.getInputTokens()).setCachedInputTokens(l.getCachedInputTokens()).setOutputTokens(l.getOutputTokens())
        .setUnpricedRequests(0).setWeight(l.getWeight()).setRevenueUsd(BigDecimal.ZERO.setScale(SCALE)).build();
  }

  /** The line name of usage partition {@code p} in a two-level node bucket. */
  static String partitionLine(int p) {
    return String.format("%010d", p);
  }
}

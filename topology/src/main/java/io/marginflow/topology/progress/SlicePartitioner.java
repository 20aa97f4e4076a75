package io.marginflow.topology.progress;

import io.marginflow.avro.internal.MarginInput;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.processor.StreamPartitioner;

/**
 * The cost-slices topic: a slice goes to the usage partition it belongs to, the
 * attribution's progress marks and the multiplier changes it passes on to every partition.
 */
public final class SlicePartitioner implements StreamPartitioner<String, MarginInput> {

  /** The partition a string key of the usage topic lands on under Kafka's default partitioner (murmur2 of UTF-8). */
  public static int partitionOf(String key, int numPartitions) {
    return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % numPartitions;
  }

  @Override
  public Optional<Set<Integer>> partitions(String topic, String key, MarginInput value, int numPartitions) {
    if (value.getSlice() != null) {
      int p = value.getSlice().getPartition();
      if (p < 0 || p >= numPartitions) {
        throw new IllegalStateException(topic + " has " + numPartitions + " partitions, fewer than the usage topic ("
            + "a slice for partition " + p + "): the topics must have as many partitions");
      }
      return Optional.of(Set.of(p));
    }
    if (value.getProgress() == null && value.getMultiplier() == null) {
      throw new IllegalStateException("only cost slices, progress marks and multiplier changes go to " + topic + ", not " + value);
    }
    return ProgressBroadcastPartitioner.all(numPartitions);
  }
}

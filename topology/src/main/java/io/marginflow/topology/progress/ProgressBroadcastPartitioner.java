package io.marginflow.topology.progress;

import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.streams.processor.StreamPartitioner;

/** Sends progress markers to every partition of a repartition topic; everything else by key, as usual. */
public final class ProgressBroadcastPartitioner<V> implements StreamPartitioner<String, V> {
  private final Predicate<V> isProgress;

  public ProgressBroadcastPartitioner(Predicate<V> isProgress) {
    this.isProgress = isProgress;
  }

  @Override
  public Optional<Set<Integer>> partitions(String topic, String key, V value, int numPartitions) {
    if (value != null && isProgress.test(value)) {
      return all(numPartitions);
    }
    return Optional.empty();
  }

  /** Every partition of a topic with {@code numPartitions}: a broadcast. */
  static Optional<Set<Integer>> all(int numPartitions) {
    return Optional.of(IntStream.range(0, numPartitions).boxed().collect(Collectors.toUnmodifiableSet()));
  }
}

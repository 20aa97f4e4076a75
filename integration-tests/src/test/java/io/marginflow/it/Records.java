package io.marginflow.it;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Deserializer;

/** Reading test topics with a deadline instead of sleeps. */
public final class Records {
  private Records() {
  }

  /** Polls {@code condition} until it holds or {@code timeout} passes; fails with {@code what}. */
  public static void await(Duration timeout, String what, java.util.function.BooleanSupplier condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("Timed out after " + timeout + " waiting for: " + what);
      }
      // Poll politely: a condition on another process (broker, browser) has no callback to wait on.
      java.util.concurrent.locks.LockSupport.parkNanos(100_000_000L);
    }
  }

  /** Assigns every partition of {@code topic} from its beginning: no consumer group, no rebalance to wait for. */
  private static List<TopicPartition> fromStart(KafkaConsumer<?, ?> consumer, String topic, Duration timeout) {
    List<TopicPartition> partitions = consumer.partitionsFor(topic, timeout).stream()
        .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
    return partitions;
  }

  /** Every committed record of {@code topic} up to its current end. */
  public static <K, V> List<ConsumerRecord<K, V>> readToEnd(Map<String, Object> config, String topic, Duration timeout,
      Deserializer<K> keys, Deserializer<V> values) {
    List<ConsumerRecord<K, V>> out = new ArrayList<>();
    long deadline = System.nanoTime() + timeout.toNanos();
    try (KafkaConsumer<K, V> consumer = new KafkaConsumer<>(config, keys, values)) {
      List<TopicPartition> partitions = fromStart(consumer, topic, timeout);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp)) && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(200)).forEach(out::add);
      }
    }
    return out;
  }

  /** Reads {@code topic} from the beginning until {@code count} records arrived or {@code timeout} passed. */
  public static <K, V> List<ConsumerRecord<K, V>> readAtLeast(Map<String, Object> config, String topic, int count,
      Duration timeout, Deserializer<K> keys, Deserializer<V> values) {
    List<ConsumerRecord<K, V>> out = new ArrayList<>();
    long deadline = System.nanoTime() + timeout.toNanos();
    try (KafkaConsumer<K, V> consumer = new KafkaConsumer<>(config, keys, values)) {
      fromStart(consumer, topic, timeout);
      while (out.size() < count && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(200)).forEach(out::add);
      }
    }
    if (out.size() < count) {
      throw new AssertionError("Read " + out.size() + " of " + count + " records from " + topic + " within " + timeout);
    }
    return out;
  }
}

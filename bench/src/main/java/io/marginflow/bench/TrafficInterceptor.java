package io.marginflow.bench;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.apache.kafka.clients.producer.ProducerInterceptor;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * Counts, per topic, the records the broker acknowledged to the pipeline's producers and their serialized key and
 * value bytes. Installed in the pipeline's producers for {@code bench throughput}
 * ({@code kafka.producer.interceptor.classes}); unlike the producers' own metrics it keeps counting across a producer
 * that Kafka Streams closes and creates again (a fenced or timed-out transaction, a replaced thread).
 */
public final class TrafficInterceptor implements ProducerInterceptor<Object, Object> {
  private static final Map<String, LongAdder[]> COUNTS = new ConcurrentHashMap<>();

  /** Forgets what was counted (before the next run). */
  static void reset() {
    COUNTS.clear();
  }

  /** Per topic whose name starts with {@code prefix}: {records, bytes} acknowledged so far. */
  static Map<String, long[]> snapshot(String prefix) {
    Map<String, long[]> out = new TreeMap<>();
    COUNTS.forEach((topic, c) -> {
      if (topic.startsWith(prefix)) {
        out.put(topic, new long[] {c[0].sum(), c[1].sum()});
      }
    });
    return out;
  }

  @Override
  public ProducerRecord<Object, Object> onSend(ProducerRecord<Object, Object> record) {
    return record;
  }

  @Override
  public void onAcknowledgement(RecordMetadata metadata, Exception exception) {
    if (exception != null || metadata == null || metadata.topic() == null) {
      return;
    }
    LongAdder[] c = COUNTS.computeIfAbsent(metadata.topic(), t -> new LongAdder[] {new LongAdder(), new LongAdder()});
    c[0].increment();
    c[1].add(Math.max(0, metadata.serializedKeySize()) + Math.max(0, metadata.serializedValueSize()));
  }

  @Override
  public void close() {
  }

  @Override
  public void configure(Map<String, ?> configs) {
  }
}

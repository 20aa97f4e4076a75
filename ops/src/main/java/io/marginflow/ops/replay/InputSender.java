package io.marginflow.ops.replay;

import io.marginflow.ops.scenario.Scenario.Row;
import io.marginflow.topology.domain.Validation;
import io.marginflow.topology.ingest.Ticks;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The Kafka side of {@link ScenarioProducer}: one idempotent producer (acks=all) that writes records keyed by string,
 * tick records to every partition of a topic, counts what it wrote per topic, keeps the first failed send and, when
 * asked, the row behind each written offset.
 */
final class InputSender implements AutoCloseable {
  private final KafkaProducer<byte[], byte[]> producer;
  private final Serializer<SpecificRecord> values;
  private final StringSerializer keys = new StringSerializer();
  private final RowIndex rowIndex;
  private final Map<String, LongAdder> sent = new ConcurrentHashMap<>();
  private final AtomicReference<Exception> failure = new AtomicReference<>();

  InputSender(Map<String, Object> clientConfig, Serializer<SpecificRecord> values, boolean trackRows) {
    Map<String, Object> config = new HashMap<>(clientConfig);
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.putIfAbsent(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    config.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 5);
    config.putIfAbsent(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
    this.producer = new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer());
    this.values = values;
    this.rowIndex = trackRows ? new RowIndex() : null;
  }

  /** The scenario file and line a record at (topic, partition, offset) came from, if any. */
  RowIndex.RowRef rowAt(String topic, int partition, long offset) {
    return rowIndex == null ? null : rowIndex.get(topic, partition, offset);
  }

  /** Records written so far per topic (ticks not counted), in topic order. */
  Map<String, Long> sentPerTopic() {
    Map<String, Long> out = new TreeMap<>();
    sent.forEach((topic, n) -> out.put(topic, n.sum()));
    return out;
  }

  /** Sends without waiting; {@code row}, when not null, is remembered for the offset the record lands at. */
  void send(String topic, String key, SpecificRecord value, Long timestamp, Row<?> row) {
    byte[] k = key == null ? null : keys.serialize(topic, key);
    // The broker refuses record timestamps far in the future (log.message.timestamp.after.max.ms), and with them the
    // whole batch: an implausible event time travels in the payload only, where the pipeline dead-letters it.
    Long ts = timestamp != null && timestamp > Validation.MIN_TIMESTAMP_MS && timestamp <= System.currentTimeMillis()
        ? timestamp : null;
    sent.computeIfAbsent(topic, t -> new LongAdder()).increment();
    producer.send(new ProducerRecord<>(topic, null, ts, k, values.serialize(topic, value)), (md, e) -> {
      if (e != null) {
        onFailure(md, e);
      } else if (rowIndex != null && row != null) {
        rowIndex.put(topic, md.partition(), md.offset(), row.file(), row.line().number());
      }
    });
  }

  /** A tick record at {@code eventTimeMs} to each of the {@code partitions} of {@code topic}. */
  void tickAll(String topic, int partitions, long eventTimeMs) {
    for (int partition = 0; partition < partitions; partition++) {
      producer.send(Ticks.record(topic, partition, eventTimeMs), this::onFailure);
    }
  }

  int partitions(String topic) {
    return producer.partitionsFor(topic).size();
  }

  private void onFailure(RecordMetadata metadata, Exception e) {
    if (e != null) {
      failure.compareAndSet(null, e);
    }
  }

  /** Fails if any send failed: a scenario that lost rows must not report figures. */
  void checkSent() {
    producer.flush();
    Exception e = failure.get();
    if (e != null) {
      throw new IllegalStateException("Producing the scenario failed: " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    producer.close();
  }
}

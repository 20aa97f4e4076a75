package io.marginflow.bench;

import io.marginflow.avro.BudgetAlert;
import io.marginflow.avro.BudgetAlertKind;
import io.marginflow.ops.embedded.EmbeddedStack;
import io.marginflow.serde.ConfluentAvroDeserializer;
import io.marginflow.topology.config.Topics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** Reads the budget alerts as a consumer sees them and records each THRESHOLD alert's latency from its crossing. */
final class AlertReader {
  private AlertReader() {
  }

  /** Each THRESHOLD alert as {observed_at_ms, latency ms}, read with {@code isolation} while {@code reading}. */
  static void readAlerts(EmbeddedStack stack, Topics t, AtomicBoolean reading, String isolation,
      List<long[]> latencies) {
    ConfluentAvroDeserializer<BudgetAlert> alerts = new ConfluentAvroDeserializer<>(BudgetAlert.class);
    alerts.configure(Map.of("schema.registry.url", stack.registryUrl()), false);
    try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of("bootstrap.servers", stack.bootstrapServers(),
        "isolation.level", isolation), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> parts = c.partitionsFor(t.alertsBudget()).stream()
          .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
      c.assign(parts);
      c.seekToBeginning(parts);
      while (reading.get()) {
        for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(20))) {
          long now = System.currentTimeMillis();
          BudgetAlert a = alerts.deserialize(r.topic(), r.value());
          if (a.getKind() == BudgetAlertKind.THRESHOLD) {
            long observed = a.getObservedAtMs().toEpochMilli();
            latencies.add(new long[] {observed, now - observed});
          }
        }
      }
    }
  }

  /** The latencies of the alerts observed from {@code measuredFrom} on (the warm-up's left out). */
  static List<Long> measured(List<long[]> latencies, long measuredFrom) {
    synchronized (latencies) {
      return latencies.stream().filter(a -> a[0] >= measuredFrom).map(a -> a[1]).toList();
    }
  }
}

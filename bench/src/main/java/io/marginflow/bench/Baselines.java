package io.marginflow.bench;

import io.marginflow.avro.TokenUsage;
import io.marginflow.ops.embedded.EmbeddedStack;
import io.marginflow.serde.ConfluentAvroDeserializer;
import io.marginflow.topology.ingest.PayloadTimestampExtractor;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.TimeWindows;

/** The same-run baselines of {@code bench throughput}. */
final class Baselines {
  private Baselines() {
  }

  /** (b) A plain consumer that reads the usage topic from the start and deserializes every event. */
  static void consume(EmbeddedStack stack, String topic, long events) {
    ConfluentAvroDeserializer<TokenUsage> values = new ConfluentAvroDeserializer<>(TokenUsage.class);
    values.configure(Map.of("schema.registry.url", stack.registryUrl()), false);
    Map<String, Object> config = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(),
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed", ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
        ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000);
    long decoded = 0;
    long checksum = 0;
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(),
        new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
          .map(p -> new TopicPartition(topic, p.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      long deadline = System.nanoTime() + Duration.ofMinutes(30).toNanos();
      while (decoded < events && System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          if (r.value() != null) {
            checksum += values.deserialize(topic, r.value()).getOutputTokens();
            decoded++;
          }
        }
      }
    }
    if (decoded < events) {
      throw new IllegalStateException("consume baseline read " + decoded + " of " + events + " events (checksum " + checksum
          + ")");
    }
  }

  /**
   * (a) A minimal Kafka Streams app over the same topic: event time from the payload, one 1-hour windowed count per
   * tenant in a persistent store, the same processing guarantee and commit interval as the pipeline. Done when it has
   * processed every event.
   */
  static void windowedCount(EmbeddedStack stack, String topic, String guarantee, Path stateDir, long events) {
    ConfluentAvroDeserializer<TokenUsage> values = new ConfluentAvroDeserializer<>(TokenUsage.class);
    values.configure(Map.of("schema.registry.url", stack.registryUrl()), false);
    AtomicLong seen = new AtomicLong();
    StreamsBuilder b = new StreamsBuilder();
    b.stream(topic, Consumed.with(Serdes.String(), Serdes.ByteArray()).withName("count-source")
            .withTimestampExtractor(new PayloadTimestampExtractor(bytes -> values.deserialize(topic, bytes).getTimestampMs()
                .toEpochMilli(), Duration.ofMinutes(5).toMillis())))
        .filter((k, v) -> v != null, Named.as("count-skip-ticks"))
        .peek((k, v) -> seen.incrementAndGet(), Named.as("count-seen"))
        .groupByKey(Grouped.<String, byte[]>as("count-by-tenant").withKeySerde(Serdes.String()).withValueSerde(Serdes.ByteArray()))
        .windowedBy(TimeWindows.ofSizeAndGrace(Duration.ofHours(1), Duration.ofMinutes(5)))
        .count(Materialized.as("count-per-tenant-1h-store"));
    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, "bench-count");
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
    p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, guarantee);
    p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
    p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, 1);
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    try (KafkaStreams streams = new KafkaStreams(b.build(), p)) {
      streams.start();
      long deadline = System.nanoTime() + Duration.ofMinutes(30).toNanos();
      while (seen.get() < events) {
        if (System.nanoTime() > deadline || streams.state() == KafkaStreams.State.ERROR) {
          throw new IllegalStateException("count baseline processed " + seen.get() + " of " + events + " events");
        }
        LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
      }
    }
  }
}

package io.marginflow.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.marginflow.ops.connect.Lake;
import io.marginflow.ops.embedded.EmbeddedKafkaBroker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Lake#anchor}: an Iceberg sink's commit coordinator group gets a committed offset at the start of the control
 * topic when it has none, or one the topic no longer holds; a committed offset the topic holds is kept; a group with
 * members is left to them (LakeExactlyOnceIT shows what a coordinator without an offset loses).
 */
class LakeAnchorIT {
  private static final String TOPIC = "control-anchor-it";
  private static final TopicPartition P0 = new TopicPartition(TOPIC, 0);

  @Test
  void shouldAnchorACoordinatorWithoutAUsableOffsetAtTheControlTopicsStart(@TempDir Path dir) throws Exception {
    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(dir.resolve("broker"), 0, Map.of());
        Admin admin = Admin.create(Map.<String, Object>of("bootstrap.servers", broker.bootstrapServers()))) {
      Lake.anchor(admin, sink("fresh"));
      assertEquals(0L, committed(admin, "fresh"), "a new coordinator starts at the first event");
      try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(Map.of("bootstrap.servers", broker.bootstrapServers()),
          new ByteArraySerializer(), new ByteArraySerializer())) {
        for (int i = 0; i < 5; i++) {
          p.send(new ProducerRecord<>(TOPIC, new byte[] {(byte) i})).get();
        }
      }
      admin.alterConsumerGroupOffsets("kept-coord", Map.of(P0, new OffsetAndMetadata(2))).all().get();
      Lake.anchor(admin, sink("kept"));
      assertEquals(2L, committed(admin, "kept"), "a committed offset the topic holds is where the coordinator resumes");
      admin.alterConsumerGroupOffsets("expired-coord", Map.of(P0, new OffsetAndMetadata(1))).all().get();
      admin.deleteRecords(Map.of(P0, RecordsToDelete.beforeOffset(3))).all().get();
      Lake.anchor(admin, sink("expired"));
      assertEquals(3L, committed(admin, "expired"), "past retention: the topic's start, not its end");
      Lake.anchor(admin, sink("fresh"));
      assertEquals(3L, committed(admin, "fresh"), "an anchor the topic no longer holds moves to its start");
      try (KafkaConsumer<byte[], byte[]> member = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
          broker.bootstrapServers(), ConsumerConfig.GROUP_ID_CONFIG, "busy-coord", ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
          false), new ByteArrayDeserializer(),
          new ByteArrayDeserializer())) {
        member.subscribe(List.of(TOPIC));
        Records.await(Duration.ofSeconds(30), "a member in busy-coord", () -> {
          member.poll(Duration.ofMillis(100));
          return !member.assignment().isEmpty();
        });
        Lake.anchor(admin, sink("busy"));
        assertEquals(-1L, committed(admin, "busy"), "a group with members is left to them");
      }
    }
  }

  /** A sink whose coordinator group is {@code <group>-coord}, on the test's control topic. */
  private static Map<String, String> sink(String group) {
    return Map.of("name", "sink-" + group, "iceberg.connect.group-id", group, "iceberg.control.topic", TOPIC);
  }

  private static long committed(Admin admin, String group) throws Exception {
    OffsetAndMetadata o = admin.listConsumerGroupOffsets(group + "-coord").partitionsToOffsetAndMetadata().get().get(P0);
    return o == null ? -1 : o.offset();
  }
}

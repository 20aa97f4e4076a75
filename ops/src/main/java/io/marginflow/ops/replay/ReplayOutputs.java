package io.marginflow.ops.replay;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.marginflow.avro.BudgetAlert;
import io.marginflow.avro.CapacityAlert;
import io.marginflow.avro.DeadLetter;
import io.marginflow.avro.PriceAdjustment;
import io.marginflow.avro.TenantMargin;
import io.marginflow.ops.scenario.Scenario;
import io.marginflow.ops.scenario.Scenario.Row;
import io.marginflow.topology.config.Topics;
import io.marginflow.topology.ingest.DeadLetterHeaders;
import io.marginflow.topology.serde.MarginflowSerdes;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** Reads the pipeline's committed outputs and writes the replay's JSON-lines files. */
final class ReplayOutputs {
  private ReplayOutputs() {
  }

  static void collect(String bootstrap, Topics topics, MarginflowSerdes serdes, ScenarioProducer producer, Scenario scenario,
      Path outDir, long expectedMargins) throws IOException {
    List<TenantMargin> margins = new ArrayList<>();
    long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
    // The last transaction may still be committing: read again until every closed window's record is visible.
    do {
      margins.clear();
      for (ConsumerRecord<byte[], byte[]> r : readAll(bootstrap, topics.margins())) {
        margins.add(serdes.value(TenantMargin.class).deserializer().deserialize(r.topic(), r.value()));
      }
    } while (margins.size() < expectedMargins && System.nanoTime() < deadline);
    if (margins.size() < expectedMargins) {
      throw new IllegalStateException("Only " + margins.size() + " of " + expectedMargins + " margin records became visible");
    }
    margins.sort(Replay.marginOrder());
    JsonLines.write(outDir.resolve("margins.jsonl"), margins.stream().map(JsonLines::toJson).toList());

    List<ObjectNode> alerts = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> r : readAll(bootstrap, topics.alertsBudget())) {
      alerts.add(JsonLines.toJson(serdes.value(BudgetAlert.class).deserializer().deserialize(r.topic(), r.value())));
    }
    for (ConsumerRecord<byte[], byte[]> r : readAll(bootstrap, topics.alertsCapacity())) {
      alerts.add(JsonLines.toJson(serdes.value(CapacityAlert.class).deserializer().deserialize(r.topic(), r.value())));
    }
    JsonLines.write(outDir.resolve("alerts.jsonl"), alerts);

    List<ObjectNode> adjustments = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> r : readAll(bootstrap, topics.pricing())) {
      adjustments.add(JsonLines.toJson(serdes.value(PriceAdjustment.class).deserializer().deserialize(r.topic(), r.value())));
    }
    JsonLines.write(outDir.resolve("price_adjustments.jsonl"), adjustments);

    List<ObjectNode> dead = new ArrayList<>(unreadableRows(scenario, topics));
    for (String topic : List.of(Topics.dlq(topics.usage()), Topics.late(topics.usage()), Topics.dlq(topics.power()),
        Topics.late(topics.power()))) {
      for (ConsumerRecord<byte[], byte[]> r : readAll(bootstrap, topic)) {
        dead.add(pipelineDeadLetter(r, producer));
      }
    }
    dead.sort(Comparator.comparing((ObjectNode n) -> n.path("file").asText()).thenComparingInt(n -> n.path("row").asInt()));
    JsonLines.write(outDir.resolve("dlq.jsonl"), dead);
  }

  private static List<ObjectNode> unreadableRows(Scenario s, Topics topics) {
    List<ObjectNode> out = new ArrayList<>();
    Map<String, List<? extends Row<?>>> byTopic = new java.util.LinkedHashMap<>();
    byTopic.put(topics.usage(), s.usage());
    byTopic.put(topics.power(), s.power());
    byTopic.put(topics.nodes(), s.nodes());
    byTopic.put(topics.pricebook(), s.pricebook());
    byTopic.put(topics.energyPrices(), s.energyPrices());
    byTopic.put(topics.budgets(), s.budgets());
    byTopic.forEach((topic, rows) -> {
      for (Row<?> row : rows) {
        if (!row.ok()) {
          DeadLetter d = DeadLetter.newBuilder().setSourceTopic(topic).setPartition(-1).setOffset(row.line().number())
              .setReason(topic.equals(topics.usage()) || topic.equals(topics.power()) ? "UNPARSEABLE_ROW" : "INVALID_REFERENCE_ROW")
              .setDetail(row.error()).setObservedAtMs(Instant.now())
              .setOriginalValue(ByteBuffer.wrap(row.line().text().getBytes(StandardCharsets.UTF_8))).build();
          out.add(withRow(JsonLines.toJson(d), row));
        }
      }
    });
    return out;
  }

  private static ObjectNode pipelineDeadLetter(ConsumerRecord<byte[], byte[]> r, ScenarioProducer producer) {
    Headers h = r.headers();
    String topic = DeadLetterHeaders.get(h, DeadLetterHeaders.TOPIC);
    int partition = Integer.parseInt(DeadLetterHeaders.get(h, DeadLetterHeaders.PARTITION));
    long offset = Long.parseLong(DeadLetterHeaders.get(h, DeadLetterHeaders.OFFSET));
    DeadLetter d = DeadLetter.newBuilder().setSourceTopic(topic).setPartition(partition).setOffset(offset)
        .setReason(DeadLetterHeaders.get(h, DeadLetterHeaders.REASON)).setDetail(DeadLetterHeaders.get(h, DeadLetterHeaders.DETAIL))
        .setObservedAtMs(Instant.ofEpochMilli(r.timestamp()))
        .setOriginalKey(r.key() == null ? null : ByteBuffer.wrap(r.key()))
        .setOriginalValue(r.value() == null ? null : ByteBuffer.wrap(r.value())).build();
    return withRow(JsonLines.toJson(d), producer.rowAt(topic, partition, offset));
  }

  private static ObjectNode withRow(ObjectNode node, Row<?> row) {
    if (row != null) {
      node.put("file", row.file());
      node.put("row", row.line().number());
      node.put("line", row.line().text());
    }
    return node;
  }

  /** Every committed record of {@code topic}, read from the beginning to the end offsets. */
  static List<ConsumerRecord<byte[], byte[]>> readAll(String bootstrap, String topic) {
    Map<String, Object> config = new HashMap<>();
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(),
        new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
          .map(p -> new TopicPartition(topic, p.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
      while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp)) && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(200)).forEach(out::add);
      }
    }
    return out;
  }

}

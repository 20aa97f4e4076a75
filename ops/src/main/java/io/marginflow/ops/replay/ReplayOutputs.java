package io.marginflow.ops.replay;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.marginflow.avro.BudgetAlert;
import io.marginflow.avro.CapacityAlert;
import io.marginflow.avro.DeadLetter;
import io.marginflow.avro.ModelRegionCost;
import io.marginflow.avro.PriceAdjustment;
import io.marginflow.avro.TenantMargin;
import io.marginflow.ops.scenario.Csv;
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

/** Reads the pipeline's committed outputs and writes the replay's JSON-lines files (SPEC 7). */
final class ReplayOutputs {
  private ReplayOutputs() {
  }

  /**
   * @param scenario the reference rows (the event rows stay on disk)
   * @param unreadableEvents the usage and power lines that were not records
   */
  static void collect(String bootstrap, Topics topics, MarginflowSerdes serdes, ScenarioProducer producer, Scenario scenario,
      List<Row<?>> unreadableEvents, Path scenarioDir, Path outDir, long expectedMargins, long expectedUnitCosts)
      throws IOException {
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

    List<ModelRegionCost> unitCosts = new ArrayList<>();
    do {
      unitCosts.clear();
      for (ConsumerRecord<byte[], byte[]> r : readAll(bootstrap, topics.costs())) {
        unitCosts.add(serdes.value(ModelRegionCost.class).deserializer().deserialize(r.topic(), r.value()));
      }
    } while (unitCosts.size() < expectedUnitCosts && System.nanoTime() < deadline);
    if (unitCosts.size() < expectedUnitCosts) {
      throw new IllegalStateException("Only " + unitCosts.size() + " of " + expectedUnitCosts + " unit-cost records became visible");
    }
    unitCosts.sort(Comparator.comparing((ModelRegionCost c) -> c.getIntervalStartMs()).thenComparing(ModelRegionCost::getModel)
        .thenComparing(ModelRegionCost::getRegion));
    JsonLines.write(outDir.resolve("unit_costs.jsonl"), unitCosts.stream().map(JsonLines::toJson).toList());

    // Dead letters are bad data to fix at the source; late rows are valid data that came after their bucket was final.
    List<ObjectNode> dead = new ArrayList<>(unreadableRows(scenario, unreadableEvents, topics));
    List<ObjectNode> late = new ArrayList<>();
    Map<ObjectNode, RowIndex.RowRef> toName = new java.util.IdentityHashMap<>();
    for (String source : List.of(topics.usage(), topics.power())) {
      readAll(bootstrap, Topics.dlq(source)).forEach(r -> dead.add(setAside(r, producer, toName)));
      readAll(bootstrap, Topics.late(source)).forEach(r -> late.add(setAside(r, producer, toName)));
    }
    nameLines(scenarioDir, toName);
    JsonLines.write(outDir.resolve("dlq.jsonl"), inFileOrder(dead));
    JsonLines.write(outDir.resolve("late.jsonl"), inFileOrder(late));
  }

  /** Fills in each set-aside record's file, row and line text, reading each file once for the lines needed. */
  private static void nameLines(Path scenarioDir, Map<ObjectNode, RowIndex.RowRef> toName) {
    Map<String, java.util.Set<Integer>> wanted = new java.util.TreeMap<>();
    toName.values().forEach(ref -> wanted.computeIfAbsent(ref.file(), f -> new java.util.HashSet<>()).add(ref.line()));
    Map<String, Map<Integer, String>> texts = new HashMap<>();
    wanted.forEach((file, lines) -> texts.put(file, Csv.lines(scenarioDir.resolve(file), lines)));
    toName.forEach((node, ref) -> {
      node.put("file", ref.file());
      node.put("row", ref.line());
      node.put("line", texts.get(ref.file()).get(ref.line()));
    });
  }

  private static List<ObjectNode> inFileOrder(List<ObjectNode> rows) {
    rows.sort(Comparator.comparing((ObjectNode n) -> n.path("file").asText()).thenComparingInt(n -> n.path("row").asInt()));
    return rows;
  }

  private static List<ObjectNode> unreadableRows(Scenario s, List<Row<?>> unreadableEvents, Topics topics) {
    List<ObjectNode> out = new ArrayList<>();
    Map<String, List<? extends Row<?>>> byTopic = new java.util.LinkedHashMap<>();
    byTopic.put(topics.usage(), unreadableEvents.stream().filter(r -> r.file().equals(Scenario.USAGE)).toList());
    byTopic.put(topics.power(), unreadableEvents.stream().filter(r -> r.file().equals(Scenario.POWER)).toList());
    byTopic.put(topics.nodes(), s.nodes());
    byTopic.put(topics.pricebook(), s.pricebook());
    byTopic.put(topics.energyPrices(), s.energyPrices());
    byTopic.put(topics.budgets(), s.budgets());
    byTopic.forEach((topic, rows) -> {
      for (Row<?> row : rows) {
        if (!row.ok()) {
          DeadLetter d = DeadLetter.newBuilder().setSourceTopic(topic).setPartition(-1).setOffset(row.line().number())
              .setReason(row.reason() != null ? row.reason()
                  : topic.equals(topics.usage()) || topic.equals(topics.power()) ? "UNPARSEABLE_ROW" : "INVALID_REFERENCE_ROW")
              .setDetail(row.error()).setObservedAtMs(Instant.now())
              .setOriginalValue(ByteBuffer.wrap(row.line().text().getBytes(StandardCharsets.UTF_8))).build();
          ObjectNode node = JsonLines.toJson(d);
          node.put("file", row.file());
          node.put("row", row.line().number());
          node.put("line", row.line().text());
          out.add(node);
        }
      }
    });
    return out;
  }

  /** A record the pipeline dead-lettered or set aside as late, with the scenario line it came from. */
  private static ObjectNode setAside(ConsumerRecord<byte[], byte[]> r, ScenarioProducer producer,
      Map<ObjectNode, RowIndex.RowRef> toName) {
    Headers h = r.headers();
    String topic = DeadLetterHeaders.get(h, DeadLetterHeaders.TOPIC);
    int partition = Integer.parseInt(DeadLetterHeaders.get(h, DeadLetterHeaders.PARTITION));
    long offset = Long.parseLong(DeadLetterHeaders.get(h, DeadLetterHeaders.OFFSET));
    DeadLetter d = DeadLetter.newBuilder().setSourceTopic(topic).setPartition(partition).setOffset(offset)
        .setReason(DeadLetterHeaders.get(h, DeadLetterHeaders.REASON)).setDetail(DeadLetterHeaders.get(h, DeadLetterHeaders.DETAIL))
        .setObservedAtMs(Instant.ofEpochMilli(r.timestamp()))
        .setOriginalKey(r.key() == null ? null : ByteBuffer.wrap(r.key()))
        .setOriginalValue(r.value() == null ? null : ByteBuffer.wrap(r.value())).build();
    ObjectNode node = JsonLines.toJson(d);
    RowIndex.RowRef ref = producer.rowAt(topic, partition, offset);
    if (ref != null) {
      toName.put(node, ref);
    }
    String bucketStart = DeadLetterHeaders.get(h, DeadLetterHeaders.LATE_BUCKET_START);
    if (bucketStart != null) {
      node.put("bucket_start_ms", Long.parseLong(bucketStart));
      node.put("bucket_end_ms", Long.parseLong(DeadLetterHeaders.get(h, DeadLetterHeaders.LATE_BUCKET_END)));
    }
    return node;
  }

  /** Every committed record of {@code topic}, read from the beginning to the end offsets. */
  static List<ConsumerRecord<byte[], byte[]>> readAll(String bootstrap, String topic) {
    Map<String, Object> config = new HashMap<>();
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    // Everything to read is there already: do not let the broker hold a fetch for more data (500 ms by default).
    config.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 20);
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

package io.marginflow.topology.query;

import io.marginflow.schemas.AvroJson;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Small output topics held in memory for the query API and the dashboard: a read_committed consumer without a group,
 * on every partition from the beginning, keeps at most {@code capacity} records, each as published plus {@code topic}
 * and {@code published_at_ms} (the broker's append time, which {@code since} filters on). Every instance holds them
 * all and answers without forwarding. Two kinds: {@link #alerts} (alerts.budget.v1, alerts.capacity.v1: few, once per
 * threshold, window or node-hour; the newest kept, in publish order) and {@link #latestByKey} (costs.model-region.v1:
 * the latest record per key, in key order).
 */
public final class RecordFeed implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RecordFeed.class);
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final Map<String, Deserializer<? extends SpecificRecord>> readers;
  private final int capacity;
  private final boolean byKey;
  /**
   * By (published time, topic, partition, offset), so that interleaved partitions are answered in publish order; or
   * by record key, the latest record per key.
   */
  private final java.util.TreeMap<String, ObjectNode> recent = new java.util.TreeMap<>();
  private final Thread thread;
  private volatile boolean running = true;

  /** The newest {@code capacity} records of {@code readers}' topics, in publish order. */
  public static RecordFeed alerts(Map<String, Object> clientConfig, Map<String, Deserializer<? extends SpecificRecord>> readers,
      int capacity) {
    return new RecordFeed(clientConfig, readers, capacity, false, "marginflow-alert-feed");
  }

  /** The latest record per key of {@code readers}' topics (at most {@code capacity} keys), in key order. */
  public static RecordFeed latestByKey(Map<String, Object> clientConfig,
      Map<String, Deserializer<? extends SpecificRecord>> readers, int capacity, String name) {
    return new RecordFeed(clientConfig, readers, capacity, true, name);
  }

  /** Starts reading {@code readers}' topics with {@code clientConfig} (bootstrap servers, security). */
  private RecordFeed(Map<String, Object> clientConfig, Map<String, Deserializer<? extends SpecificRecord>> readers,
      int capacity, boolean byKey, String name) {
    Map<String, Object> c = new HashMap<>(clientConfig);
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    c.put(ConsumerConfig.CLIENT_ID_CONFIG, name);
    c.remove(ConsumerConfig.GROUP_ID_CONFIG);
    c.remove(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
    this.consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    this.readers = Map.copyOf(readers);
    this.capacity = capacity;
    this.byKey = byKey;
    this.thread = new Thread(this::run, name);
    thread.setDaemon(true);
    thread.start();
  }

  private void run() {
    try {
      List<TopicPartition> partitions = new ArrayList<>();
      for (String topic : readers.keySet()) {
        consumer.partitionsFor(topic, Duration.ofSeconds(60))
            .forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
      }
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      while (running) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
          add(r);
        }
      }
    } catch (WakeupException stopping) {
      // closed
    } catch (RuntimeException e) {
      LOG.error("The feed {} stopped: it answers with what it has read so far", thread.getName(), e);
    } finally {
      consumer.close(Duration.ofSeconds(5));
    }
  }

  private void add(ConsumerRecord<byte[], byte[]> r) {
    if (r.value() == null) {
      return;
    }
    try {
      ObjectNode alert = AvroJson.toJson(readers.get(r.topic()).deserialize(r.topic(), r.value()));
      alert.put("topic", r.topic()).put("published_at_ms", r.timestamp());
      String slot = byKey ? r.topic() + "|" + (r.key() == null ? "" : new String(r.key(), java.nio.charset.StandardCharsets.UTF_8))
          : String.format("%019d|%s|%010d|%019d", r.timestamp(), r.topic(), r.partition(), r.offset());
      synchronized (recent) {
        recent.put(slot, alert);
        while (recent.size() > capacity) {
          recent.pollFirstEntry();
        }
      }
    } catch (RuntimeException e) {
      LOG.warn("Skipping an unreadable record at {}-{}@{}: {}", r.topic(), r.partition(), r.offset(), e.toString());
    }
  }

  /**
   * The first {@code limit} records published at or after {@code sinceMs} that {@code visible} lets through, in the
   * feed's order (oldest first: page on with the last one's published_at_ms), or reversed.
   */
  public List<ObjectNode> since(long sinceMs, Predicate<ObjectNode> visible, int limit, boolean newestFirst) {
    List<ObjectNode> out = new ArrayList<>();
    synchronized (recent) {
      java.util.Iterator<ObjectNode> it = (newestFirst ? recent.descendingMap() : recent).values().iterator();
      while (it.hasNext()) {
        ObjectNode a = it.next();
        if (out.size() >= limit) {
          break;
        }
        if (a.get("published_at_ms").asLong() >= sinceMs && visible.test(a)) {
          out.add(a);
        }
      }
    }
    return out;
  }

  @Override
  public void close() {
    running = false;
    consumer.wakeup();
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}

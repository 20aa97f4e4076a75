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
 * The most recent alerts of this deployment (alerts.budget.v1, alerts.capacity.v1), for {@code /v1/alerts} and the
 * dashboard: a read_committed consumer without a group, on every partition from the beginning, keeps the newest
 * {@code capacity} in memory. Alerts are few (once per threshold, window or node-hour), so every instance holds them
 * all and answers without forwarding. Each is the alert as published plus {@code topic} and {@code published_at_ms}
 * (the broker's append time, which {@code since} filters on).
 */
public final class AlertFeed implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(AlertFeed.class);
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final Map<String, Deserializer<? extends SpecificRecord>> readers;
  private final int capacity;
  /** By (published time, topic, partition, offset): partitions are read interleaved, answers are in publish order. */
  private final java.util.TreeMap<String, ObjectNode> recent = new java.util.TreeMap<>();
  private final Thread thread;
  private volatile boolean running = true;

  /** Starts reading {@code readers}' topics with {@code clientConfig} (bootstrap servers, security). */
  public AlertFeed(Map<String, Object> clientConfig, Map<String, Deserializer<? extends SpecificRecord>> readers, int capacity) {
    Map<String, Object> c = new HashMap<>(clientConfig);
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    c.put(ConsumerConfig.CLIENT_ID_CONFIG, "marginflow-alert-feed");
    c.remove(ConsumerConfig.GROUP_ID_CONFIG);
    c.remove(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
    this.consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    this.readers = Map.copyOf(readers);
    this.capacity = capacity;
    this.thread = new Thread(this::run, "marginflow-alert-feed");
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
      LOG.error("The alert feed stopped: /v1/alerts answers with what it has read so far", e);
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
      synchronized (recent) {
        recent.put(String.format("%019d|%s|%010d|%019d", r.timestamp(), r.topic(), r.partition(), r.offset()), alert);
        while (recent.size() > capacity) {
          recent.pollFirstEntry();
        }
      }
    } catch (RuntimeException e) {
      LOG.warn("Skipping an unreadable alert at {}-{}@{}: {}", r.topic(), r.partition(), r.offset(), e.toString());
    }
  }

  /**
   * The first {@code limit} alerts published at or after {@code sinceMs} that {@code visible} lets through, oldest
   * first (page on with the last one's published_at_ms), or the newest first.
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

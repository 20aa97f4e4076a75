package io.marginflow.ops.replay;

import io.marginflow.avro.PowerSample;
import io.marginflow.avro.TokenUsage;
import io.marginflow.ops.scenario.Scenario;
import io.marginflow.ops.scenario.Scenario.Row;
import io.marginflow.topology.config.Topics;
import io.marginflow.topology.domain.Validation;
import io.marginflow.topology.ingest.Ticks;
import java.io.PrintStream;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Produces a scenario: reference rows first, then usage and power rows, each file in its own order (merged by
 * time so state stays small), with tick records to every partition as each file's time advances, and final
 * ticks that close every window. Remembers where each row landed, so dead letters can name their line.
 */
public final class ScenarioProducer implements AutoCloseable {
  private final KafkaProducer<byte[], byte[]> producer;
  private final Serializer<SpecificRecord> values;
  private final StringSerializer keys = new StringSerializer();
  private final Topics topics;
  private final long tickIntervalMs;
  private final Map<String, Row<?>> rowsByOffset = new HashMap<>();
  private final java.util.concurrent.atomic.AtomicReference<Exception> failure = new java.util.concurrent.atomic.AtomicReference<>();

  public ScenarioProducer(String bootstrap, Serializer<SpecificRecord> values, Topics topics, long tickIntervalMs) {
    Map<String, Object> config = new HashMap<>();
    config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    config.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    config.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
    this.producer = new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer());
    this.values = values;
    this.topics = topics;
    this.tickIntervalMs = tickIntervalMs;
  }

  /** The scenario row a record at (topic, partition, offset) came from, if any. */
  Row<?> rowAt(String topic, int partition, long offset) {
    synchronized (rowsByOffset) {
      return rowsByOffset.get(topic + "/" + partition + "/" + offset);
    }
  }

  public void reference(Scenario s) throws ExecutionException, InterruptedException {
    sendAll(topics.nodes(), s.nodes(), r -> r.getNodeId());
    sendAll(topics.pricebook(), s.pricebook(), r -> r.getModel());
    sendAll(topics.energyPrices(), s.energyPrices(), r -> r.getRegion());
    sendAll(topics.budgets(), s.budgets(), r -> r.getTenantId());
    checkSent();
  }

  private <T extends SpecificRecord> void sendAll(String topic, List<Row<T>> rows, java.util.function.Function<T, String> key)
      throws ExecutionException, InterruptedException {
    for (Row<T> row : rows) {
      if (row.ok()) {
        send(topic, key.apply(row.record()), row.record(), null, row).get();
      }
    }
  }

  /**
   * Produces usage and power rows; returns the greatest valid event time produced (Long.MIN_VALUE when none).
   * {@code closeAfterMs} is how far past the last event the final ticks go.
   */
  public long events(Scenario s, long nowMs, long closeAfterMs, PrintStream progress) throws ExecutionException, InterruptedException {
    List<Row<TokenUsage>> usage = s.usage().stream().filter(Row::ok).toList();
    List<Row<PowerSample>> power = s.power().stream().filter(Row::ok).toList();
    Clock usageClock = new Clock(topics.usage(), partitions(topics.usage()), nowMs);
    Clock powerClock = new Clock(topics.power(), partitions(topics.power()), nowMs);
    int u = 0;
    int p = 0;
    long total = usage.size() + power.size();
    while (u < usage.size() || p < power.size()) {
      boolean takeUsage = p >= power.size() || (u < usage.size()
          && usage.get(u).record().getTimestampMs().compareTo(power.get(p).record().getTimestampMs()) <= 0);
      if (takeUsage) {
        TokenUsage r = usage.get(u).record();
        send(topics.usage(), r.getTenantId(), r, r.getTimestampMs().toEpochMilli(), usage.get(u++));
        usageClock.observe(r.getTimestampMs().toEpochMilli());
      } else {
        PowerSample r = power.get(p).record();
        send(topics.power(), r.getNodeId(), r, r.getTimestampMs().toEpochMilli(), power.get(p++));
        powerClock.observe(r.getTimestampMs().toEpochMilli());
      }
      if ((u + p) % 50_000 == 0) {
        progress.printf("replay: produced %,d of %,d rows%n", u + p, total);
      }
    }
    long last = Math.max(usageClock.max, powerClock.max);
    if (last != Long.MIN_VALUE) {
      usageClock.tickAll(last + closeAfterMs);
      powerClock.tickAll(last + closeAfterMs);
    }
    checkSent();
    progress.printf("replay: produced %,d rows and the closing ticks%n", total);
    return last;
  }

  private int partitions(String topic) {
    return producer.partitionsFor(topic).size();
  }

  private Future<RecordMetadata> send(String topic, String key, SpecificRecord value, Long timestamp, Row<?> row) {
    byte[] k = key == null ? null : keys.serialize(topic, key);
    // The broker refuses record timestamps far in the future (log.message.timestamp.after.max.ms), and with them the
    // whole batch: an implausible event time travels in the payload only, where the pipeline dead-letters it.
    Long ts = timestamp != null && timestamp > Validation.MIN_TIMESTAMP_MS && timestamp <= System.currentTimeMillis()
        ? timestamp : null;
    return producer.send(new ProducerRecord<>(topic, null, ts, k, values.serialize(topic, value)), (md, e) -> {
      if (e != null) {
        failure.compareAndSet(null, e);
        return;
      }
      synchronized (rowsByOffset) {
        rowsByOffset.put(topic + "/" + md.partition() + "/" + md.offset(), row);
      }
    });
  }

  /** Fails if any send failed: a replay that lost rows must not report figures. */
  void checkSent() {
    producer.flush();
    Exception e = failure.get();
    if (e != null) {
      throw new IllegalStateException("Producing the scenario failed: " + e.getMessage(), e);
    }
  }

  /** One file's time: the greatest plausible event time so far, and when its partitions were last ticked. */
  private final class Clock {
    private final String topic;
    private final int partitions;
    private final long nowMs;
    private long max = Long.MIN_VALUE;
    private long lastTick = Long.MIN_VALUE;

    Clock(String topic, int partitions, long nowMs) {
      this.topic = topic;
      this.partitions = partitions;
      this.nowMs = nowMs;
    }

    void observe(long ts) {
      if (ts <= Validation.MIN_TIMESTAMP_MS || ts > nowMs) {
        return;
      }
      max = Math.max(max, ts);
      if (lastTick == Long.MIN_VALUE || max - lastTick >= tickIntervalMs) {
        tickAll(max);
      }
    }

    void tickAll(long ts) {
      for (int partition = 0; partition < partitions; partition++) {
        producer.send(new ProducerRecord<>(topic, partition, ts, null, new byte[0], Ticks.headers()));
      }
      lastTick = ts;
    }
  }

  @Override
  public void close() {
    producer.close();
  }
}

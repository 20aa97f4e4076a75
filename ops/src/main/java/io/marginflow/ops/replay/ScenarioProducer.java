package io.marginflow.ops.replay;

import io.marginflow.avro.PowerSample;
import io.marginflow.avro.TokenUsage;
import io.marginflow.ops.scenario.EventSource;
import io.marginflow.ops.scenario.LiveLoad;
import io.marginflow.ops.scenario.Scenario;
import io.marginflow.ops.scenario.Scenario.Row;
import io.marginflow.topology.config.Topics;
import io.marginflow.topology.domain.Validation;
import io.marginflow.topology.ingest.Ticks;
import java.io.PrintStream;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The one producer of marginflow's inputs (replay, {@code produce}, the demo's live load): reference rows first,
 * then usage and power rows, each file in its own order (merged by time so state stays small), with tick records to
 * every partition as each file's time advances, and final ticks that close every window. Rows that parse but break a
 * validity rule are written as they are: the pipeline dead-letters them. Replay asks it to remember where each row
 * landed, so dead letters and late records can name their line.
 */
public final class ScenarioProducer implements LiveLoad.Sink, AutoCloseable {
  private final KafkaProducer<byte[], byte[]> producer;
  private final Serializer<SpecificRecord> values;
  private final StringSerializer keys = new StringSerializer();
  private final Topics topics;
  private final long tickIntervalMs;
  private final RowIndex rowIndex;
  private final Map<String, LongAdder> sent = new ConcurrentHashMap<>();
  private final AtomicReference<Exception> failure = new AtomicReference<>();

  /**
   * @param clientConfig producer settings: bootstrap.servers and any security settings (SASL, TLS)
   * @param trackRows remember the row behind each written offset (replay's dead letters name their line)
   */
  public ScenarioProducer(Map<String, Object> clientConfig, Serializer<SpecificRecord> values, Topics topics,
      long tickIntervalMs, boolean trackRows) {
    Map<String, Object> config = new HashMap<>(clientConfig);
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.putIfAbsent(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    config.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 5);
    config.putIfAbsent(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
    this.producer = new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer());
    this.values = values;
    this.topics = topics;
    this.tickIntervalMs = tickIntervalMs;
    this.rowIndex = trackRows ? new RowIndex() : null;
  }

  public ScenarioProducer(String bootstrap, Serializer<SpecificRecord> values, Topics topics, long tickIntervalMs) {
    this(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap), values, topics, tickIntervalMs, true);
  }

  /** The scenario file and line a record at (topic, partition, offset) came from, if any. */
  RowIndex.RowRef rowAt(String topic, int partition, long offset) {
    return rowIndex == null ? null : rowIndex.get(topic, partition, offset);
  }

  /** Records written so far per topic (ticks not counted), in topic order. */
  public Map<String, Long> sentPerTopic() {
    Map<String, Long> out = new TreeMap<>();
    sent.forEach((topic, n) -> out.put(topic, n.sum()));
    return out;
  }

  public void reference(Scenario s) throws ExecutionException, InterruptedException {
    sendAll(topics.nodes(), s.nodes(), r -> r.getNodeId());
    sendAll(topics.pricebook(), s.pricebook(), r -> r.getModel());
    sendAll(topics.energyPrices(), s.energyPrices(), r -> r.getRegion());
    sendAll(topics.budgets(), s.budgets(), r -> r.getTenantId());
    checkSent();
  }

  /** Sends without waiting on each record: the producer keeps each partition's order, checkSent() waits once. */
  private <T extends SpecificRecord> void sendAll(String topic, List<Row<T>> rows, Function<T, String> key) {
    for (Row<T> row : rows) {
      if (row.ok()) {
        send(topic, key.apply(row.record()), row.record(), null, row);
      }
    }
  }

  /**
   * Produces usage and power rows; returns the greatest plausible event time produced (Long.MIN_VALUE when none).
   * {@code closeAfterMs} is how far past the last event the final ticks go (negative: no closing ticks).
   */
  public long events(Scenario s, long nowMs, long closeAfterMs, PrintStream progress) {
    return events(s.events(), nowMs, closeAfterMs, progress, row -> { });
  }

  /**
   * Produces the rows of {@code source}, the usage and power files merged by time, each in its own order; rows that
   * are not records go to {@code unreadable}. Returns the greatest plausible event time produced (Long.MIN_VALUE
   * when none); {@code closeAfterMs} is how far past it the final ticks go (negative: no closing ticks).
   */
  public long events(EventSource source, long nowMs, long closeAfterMs, PrintStream progress,
      Consumer<Row<?>> unreadable) {
    Clock usageClock = new Clock(topics.usage(), partitions(topics.usage()), nowMs);
    Clock powerClock = new Clock(topics.power(), partitions(topics.power()), nowMs);
    long produced = 0;
    try (EventSource.Rows<TokenUsage> usage = source.usage(); EventSource.Rows<PowerSample> power = source.power()) {
      Row<TokenUsage> u = nextRecord(usage, unreadable);
      Row<PowerSample> p = nextRecord(power, unreadable);
      while (u != null || p != null) {
        if (p == null || (u != null && u.record().getTimestampMs().compareTo(p.record().getTimestampMs()) <= 0)) {
          TokenUsage r = u.record();
          send(topics.usage(), r.getTenantId(), r, r.getTimestampMs().toEpochMilli(), u);
          usageClock.observe(r.getTimestampMs().toEpochMilli());
          u = nextRecord(usage, unreadable);
        } else {
          PowerSample r = p.record();
          send(topics.power(), r.getNodeId(), r, r.getTimestampMs().toEpochMilli(), p);
          powerClock.observe(r.getTimestampMs().toEpochMilli());
          p = nextRecord(power, unreadable);
        }
        if (++produced % 100_000 == 0) {
          progress.printf("produced %,d rows%n", produced);
        }
      }
    }
    long last = Math.max(usageClock.max, powerClock.max);
    if (last != Long.MIN_VALUE && closeAfterMs >= 0) {
      usageClock.tickAll(last + closeAfterMs);
      powerClock.tickAll(last + closeAfterMs);
    }
    checkSent();
    progress.printf("produced %,d rows%s%n", produced, closeAfterMs >= 0 ? " and the closing ticks" : "");
    return last;
  }

  private static <T> Row<T> nextRecord(EventSource.Rows<T> rows, Consumer<Row<?>> unreadable) {
    while (rows.hasNext()) {
      Row<T> r = rows.next();
      if (r.ok()) {
        return r;
      }
      unreadable.accept(r);
    }
    return null;
  }

  @Override
  public void usage(TokenUsage u) {
    send(topics.usage(), u.getTenantId(), u, u.getTimestampMs().toEpochMilli(), null);
  }

  @Override
  public void power(PowerSample p) {
    send(topics.power(), p.getNodeId(), p, p.getTimestampMs().toEpochMilli(), null);
  }

  @Override
  public void tick(long eventTimeMs) {
    tickAll(topics.usage(), partitions(topics.usage()), eventTimeMs);
    tickAll(topics.power(), partitions(topics.power()), eventTimeMs);
  }

  private void tickAll(String topic, int partitions, long eventTimeMs) {
    for (int partition = 0; partition < partitions; partition++) {
      producer.send(Ticks.record(topic, partition, eventTimeMs), this::onFailure);
    }
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
    sent.computeIfAbsent(topic, t -> new LongAdder()).increment();
    return producer.send(new ProducerRecord<>(topic, null, ts, k, values.serialize(topic, value)), (md, e) -> {
      if (e != null) {
        onFailure(md, e);
      } else if (rowIndex != null && row != null) {
        rowIndex.put(topic, md.partition(), md.offset(), row.file(), row.line().number());
      }
    });
  }

  private void onFailure(RecordMetadata metadata, Exception e) {
    if (e != null) {
      failure.compareAndSet(null, e);
    }
  }

  /** Fails if any send failed: a scenario that lost rows must not report figures. */
  public void checkSent() {
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
      ScenarioProducer.this.tickAll(topic, partitions, ts);
      lastTick = ts;
    }
  }

  @Override
  public void close() {
    producer.close();
  }
}

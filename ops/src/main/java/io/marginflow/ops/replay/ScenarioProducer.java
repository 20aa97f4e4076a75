package io.marginflow.ops.replay;

import io.marginflow.avro.PowerSample;
import io.marginflow.avro.TokenUsage;
import io.marginflow.ops.scenario.EventSource;
import io.marginflow.ops.scenario.LiveLoad;
import io.marginflow.ops.scenario.Scenario;
import io.marginflow.ops.scenario.Scenario.Row;
import io.marginflow.topology.config.Topics;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The one producer of marginflow's inputs (replay, {@code produce}, the demo's live load): reference rows first,
 * then usage and power rows, each file in its own order (merged by time so state stays small), with tick records to
 * every partition as each file's time advances, and final ticks that close every window. Rows that parse but break a
 * validity rule are written as they are: the pipeline dead-letters them. Replay asks it to remember where each row
 * landed, so dead letters and late records can name their line. {@link InputSender} writes the records and
 * {@link EventClock} decides when each file's time ticks.
 */
public final class ScenarioProducer implements LiveLoad.Sink, AutoCloseable {
  private final InputSender sender;
  private final Topics topics;
  private final long tickIntervalMs;

  /**
   * @param clientConfig producer settings: bootstrap.servers and any security settings (SASL, TLS)
   * @param trackRows remember the row behind each written offset (replay's dead letters name their line)
   */
  public ScenarioProducer(Map<String, Object> clientConfig, Serializer<SpecificRecord> values, Topics topics,
      long tickIntervalMs, boolean trackRows) {
    this.sender = new InputSender(clientConfig, values, trackRows);
    this.topics = topics;
    this.tickIntervalMs = tickIntervalMs;
  }

  public ScenarioProducer(String bootstrap, Serializer<SpecificRecord> values, Topics topics, long tickIntervalMs) {
    this(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap), values, topics, tickIntervalMs, true);
  }

  /** The scenario file and line a record at (topic, partition, offset) came from, if any. */
  RowIndex.RowRef rowAt(String topic, int partition, long offset) {
    return sender.rowAt(topic, partition, offset);
  }

  /** Records written so far per topic (ticks not counted), in topic order. */
  public Map<String, Long> sentPerTopic() {
    return sender.sentPerTopic();
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
        sender.send(topic, key.apply(row.record()), row.record(), null, row);
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
    EventClock usageClock = new EventClock(sender, topics.usage(), nowMs, tickIntervalMs);
    EventClock powerClock = new EventClock(sender, topics.power(), nowMs, tickIntervalMs);
    long produced = 0;
    try (EventSource.Rows<TokenUsage> usage = source.usage(); EventSource.Rows<PowerSample> power = source.power()) {
      Row<TokenUsage> u = nextRecord(usage, unreadable);
      Row<PowerSample> p = nextRecord(power, unreadable);
      while (u != null || p != null) {
        if (p == null || (u != null && u.record().getTimestampMs().compareTo(p.record().getTimestampMs()) <= 0)) {
          TokenUsage r = u.record();
          sender.send(topics.usage(), r.getTenantId(), r, r.getTimestampMs().toEpochMilli(), u);
          usageClock.observe(r.getTimestampMs().toEpochMilli());
          u = nextRecord(usage, unreadable);
        } else {
          PowerSample r = p.record();
          sender.send(topics.power(), r.getNodeId(), r, r.getTimestampMs().toEpochMilli(), p);
          powerClock.observe(r.getTimestampMs().toEpochMilli());
          p = nextRecord(power, unreadable);
        }
        if (++produced % 100_000 == 0) {
          progress.printf("produced %,d rows%n", produced);
        }
      }
    }
    long last = Math.max(usageClock.max(), powerClock.max());
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
    sender.send(topics.usage(), u.getTenantId(), u, u.getTimestampMs().toEpochMilli(), null);
  }

  @Override
  public void power(PowerSample p) {
    sender.send(topics.power(), p.getNodeId(), p, p.getTimestampMs().toEpochMilli(), null);
  }

  @Override
  public void tick(long eventTimeMs) {
    sender.tickAll(topics.usage(), sender.partitions(topics.usage()), eventTimeMs);
    sender.tickAll(topics.power(), sender.partitions(topics.power()), eventTimeMs);
  }

  /** Fails if any send failed: a scenario that lost rows must not report figures. */
  public void checkSent() {
    sender.checkSent();
  }

  @Override
  public void close() {
    sender.close();
  }
}

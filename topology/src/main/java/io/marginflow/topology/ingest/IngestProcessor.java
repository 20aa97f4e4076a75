package io.marginflow.topology.ingest;

import io.marginflow.topology.progress.Markers;
import io.marginflow.topology.metrics.PipelineMetrics;
import io.marginflow.topology.metrics.WatermarkLag;
import io.marginflow.topology.progress.PartitionClock;
import io.marginflow.avro.internal.AttributionInput;
import io.marginflow.avro.internal.Watermark;
import io.marginflow.topology.config.TopologyConfig;
import io.marginflow.topology.domain.Buckets;
import io.marginflow.topology.domain.Rejection;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The common front of every event source (SPEC 2): reads the raw bytes, dead-letters what does not deserialize or
 * breaks a rule (original bytes, reason headers), keeps the partition's stream time, sets aside records whose
 * bucket is already final as late, and reports the partition's progress downstream. Subclasses validate and
 * handle the valid events.
 */
abstract class IngestProcessor<T> implements Processor<byte[], byte[], String, Routed<AttributionInput>> {

  protected final TopologyConfig config;
  private static final Logger LOG = LoggerFactory.getLogger(IngestProcessor.class);
  private final String source;
  private final String progressStoreName;
  private final Deserializer<T> deserializer;
  protected ProcessorContext<String, Routed<AttributionInput>> context;
  protected PipelineMetrics metrics;
  private PartitionClock clock;
  private int partition;
  private InputWatch watch;

  IngestProcessor(TopologyConfig config, String source, String progressStoreName, Deserializer<T> deserializer) {
    this.config = config;
    this.source = source;
    this.progressStoreName = progressStoreName;
    this.deserializer = deserializer;
  }

  @Override
  public void init(ProcessorContext<String, Routed<AttributionInput>> context) {
    this.context = context;
    this.metrics = new PipelineMetrics(context, source);
    metrics.declare("late");
    this.partition = context.taskId().partition();
    KeyValueStore<String, Long> progress = context.getStateStore(progressStoreName);
    this.clock = new PartitionClock(progress, Markers.input(source, partition));
    AtomicLong lagSlot = context.appConfigs().get(WatermarkLag.CONFIG) instanceof WatermarkLag w ? w.slot(source, partition)
        : new AtomicLong();
    this.watch = new InputWatch(source + "-" + partition, config.stallWarningMs(), metrics, lagSlot,
        context.currentSystemTimeMs(), clock.streamTime());
    if (config.stallWarningMs() > 0) {
      context.schedule(Duration.ofMillis(Math.max(100, Math.min(10_000, config.stallWarningMs() / 2))),
          PunctuationType.WALL_CLOCK_TIME, now -> watch.warnIfStalled(now, clock.streamTime()));
    }
    if (config.idleTimeoutMs() > 0) {
      context.schedule(Duration.ofMillis(Math.min(1_000, config.idleTimeoutMs())), PunctuationType.WALL_CLOCK_TIME,
          this::advanceIfIdle);
    }
  }

  /**
   * Opt-in (watermark.idle-timeout) for producers that send no ticks: a partition silent for the timeout is taken
   * to have reached the wall clock minus the timeout, so it does not hold back everyone's windows.
   */
  private void advanceIfIdle(long nowMs) {
    long target = nowMs - config.idleTimeoutMs();
    if (watch.silentSince(target) && target > clock.streamTime()) {
      advance(target);
      metrics.count("idle-advance");
      reportProgress(true);
    }
  }

  /** Moves this partition's stream time to {@code ts} if later; keeps the lag gauge and the stall warning current. */
  private void advance(long ts) {
    long before = clock.streamTime();
    clock.advance(ts);
    if (clock.streamTime() != before) {
      watch.advanced(context.currentSystemTimeMs(), clock.streamTime());
    }
  }

  @Override
  public final void process(Record<byte[], byte[]> record) {
    RecordMetadata origin = context.recordMetadata().orElseThrow();
    watch.activity(context.currentSystemTimeMs());
    if (Ticks.isTick(record.headers())) {
      onTick(record.timestamp());
      return;
    }
    metrics.meters().recordIn(source, origin.topic());
    if (record.value() == null) {
      reject(record, origin, new Rejection(Rejection.NULL_VALUE, "null value without the " + Ticks.HEADER + " header"),
          record.timestamp());
      return;
    }
    T event;
    try {
      event = deserializer.deserialize(origin.topic(), record.headers(), record.value());
    } catch (RuntimeException e) {
      reject(record, origin, new Rejection(Rejection.DESERIALIZATION, String.valueOf(e.getMessage())), record.timestamp());
      return;
    }
    if (event == null) {
      reject(record, origin, new Rejection(Rejection.DESERIALIZATION, "empty value"), record.timestamp());
      return;
    }
    Optional<Rejection> invalid = validate(event, context.currentSystemTimeMs());
    if (invalid.isPresent()) {
      reject(record, origin, invalid.get(), eventTime(event));
      return;
    }
    long ts = eventTime(event);
    advance(ts);
    long bucket = Buckets.start(ts, config.bucketMs());
    if (Buckets.isFinal(bucket, config.bucketMs(), config.graceMs(), clock.streamTime())) {
      metrics.count("late");
      Headers headers = DeadLetterHeaders.annotate(record, origin, new Rejection(Rejection.LATE, "bucket of " + ts
          + " was finalized: stream time " + clock.streamTime() + " is past bucket end + grace"), ts);
      forwardRejected(Route.LATE, record, DeadLetterHeaders.annotateLate(headers, bucket, bucket + config.bucketMs()));
    } else {
      accept(event, ts);
    }
    reportProgress(false);
  }

  private void onTick(long timestampMs) {
    if (timestampMs > context.currentSystemTimeMs() + config.maxFutureSkewMs()) {
      metrics.count("tick-from-the-future-ignored");
      return;
    }
    advance(timestampMs);
    reportProgress(true);
  }

  private void reportProgress(boolean force) {
    if (clock.dueReport(config.watermarkIntervalMs(), force)) {
      beforeProgress();
      forwardProgress(partition, clock.streamTime());
      clock.reported();
    }
  }

  private void reject(Record<byte[], byte[]> record, RecordMetadata origin, Rejection rejection, long eventTs) {
    metrics.count("dead-lettered-" + rejection.reason());
    forwardRejected(Route.DLQ, record, DeadLetterHeaders.annotate(record, origin, rejection, eventTs));
  }

  private void forwardRejected(Route route, Record<byte[], byte[]> record, Headers headers) {
    emit(DeadLetterHeaders.rejected(route, record, headers, context.currentSystemTimeMs()));
  }

  /** Sends {@code r} to the child node of its route (Route#child): each output its own node, no routing by value. */
  protected void emit(Record<String, Routed<AttributionInput>> r) {
    context.forward(r, r.value().route().child(source));
  }

  /** This partition's stream time: the greatest event time of a valid record or tick so far. */
  protected long streamTime() {
    return clock.streamTime();
  }

  /** Called just before this partition's progress is reported downstream: send what is held back first. */
  void beforeProgress() {
  }

  /** The first SPEC 2 rule {@code event} breaks. */
  abstract Optional<Rejection> validate(T event, long nowMs);

  abstract long eventTime(T event);

  /** Handles a valid, on-time event. */
  abstract void accept(T event, long timestampMs);

  /** Sends this partition's stream time downstream; the repartition broadcasts it to every partition. */
  private void forwardProgress(int sourcePartition, long streamTimeMs) {
    Watermark w = new Watermark(source, sourcePartition, config.inputPartitions(), streamTimeMs);
    emit(new Record<>(Markers.PROGRESS_KEY, Routed.main(AttributionInput.newBuilder().setWatermark(w).build()),
        streamTimeMs));
  }

  /** The input partition this task reads. */
  int partition() {
    return partition;
  }
}

package io.marginflow.topology.ingest;

import io.marginflow.topology.domain.Validation;
import io.marginflow.serde.ConfluentAvroDeserializer;
import io.marginflow.serde.LongFieldReader;
import java.time.Instant;
import java.util.function.Function;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.processor.TimestampExtractor;

/**
 * Event time from the payload (SPEC 1). Ticks use their record timestamp. A record whose payload cannot be read
 * or whose time is implausible (before 2000, or beyond the allowed future skew) gets the partition's current
 * time, so it cannot move stream time; the ingest processor then dead-letters it.
 */
public final class PayloadTimestampExtractor implements TimestampExtractor {
  private final Function<byte[], Long> payloadTime;
  private final long maxFutureSkewMs;

  public PayloadTimestampExtractor(Function<byte[], Long> payloadTime, long maxFutureSkewMs) {
    this.payloadTime = payloadTime;
    this.maxFutureSkewMs = maxFutureSkewMs;
  }

  /** The extractor of a topic whose payloads {@code reader} decodes and {@code time} dates. */
  public static <T> PayloadTimestampExtractor of(Deserializer<T> reader, String topic, Function<T, Instant> time,
      long maxFutureSkewMs) {
    return new PayloadTimestampExtractor(eventTime(reader, topic, time), maxFutureSkewMs);
  }

  /**
   * The event time of a payload: read straight from the bytes where the writer's schema allows (the extractor runs on
   * every record, before the ingest decodes it), else from the decoded record.
   */
  private static <T> Function<byte[], Long> eventTime(Deserializer<T> reader, String topic, Function<T, Instant> time) {
    Function<byte[], Long> decoded = bytes -> time.apply(reader.deserialize(topic, bytes)).toEpochMilli();
    if (!(reader instanceof ConfluentAvroDeserializer<?> avro)) {
      return decoded;
    }
    LongFieldReader direct = avro.longField("timestamp_ms");
    return bytes -> {
      Long ts = direct.read(bytes);
      return ts != null ? ts : decoded.apply(bytes);
    };
  }

  @Override
  public long extract(ConsumerRecord<Object, Object> record, long partitionTime) {
    long fallback = Math.max(partitionTime, 0);
    if (Ticks.isTick(record.headers())) {
      return plausible(record.timestamp()) ? record.timestamp() : fallback;
    }
    if (!(record.value() instanceof byte[] bytes)) {
      return fallback;
    }
    try {
      long ts = payloadTime.apply(bytes);
      return plausible(ts) ? ts : fallback;
    } catch (RuntimeException e) {
      return fallback;
    }
  }

  private boolean plausible(long ts) {
    return ts > Validation.MIN_TIMESTAMP_MS && ts <= System.currentTimeMillis() + maxFutureSkewMs;
  }
}

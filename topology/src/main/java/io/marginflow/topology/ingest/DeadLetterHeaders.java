package io.marginflow.topology.ingest;

import io.marginflow.topology.domain.Rejection;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/** The headers that name why and from where a record was dead-lettered or set aside as late (SPEC 2). */
public final class DeadLetterHeaders {
  public static final String REASON = "marginflow.error.reason";
  public static final String DETAIL = "marginflow.error.detail";
  public static final String TOPIC = "marginflow.error.topic";
  public static final String PARTITION = "marginflow.error.partition";
  public static final String OFFSET = "marginflow.error.offset";
  public static final String EVENT_TIMESTAMP = "marginflow.error.timestamp";
  /** On late records: the start (epoch ms) of the attribution bucket that was already final. */
  public static final String LATE_BUCKET_START = "marginflow.late.bucket-start";
  /** On late records: the end (epoch ms, exclusive) of that bucket. */
  public static final String LATE_BUCKET_END = "marginflow.late.bucket-end";

  private DeadLetterHeaders() {
  }

  /** Adds the reason and origin to {@code headers} (the original headers are kept). */
  public static Headers annotate(Headers headers, Rejection rejection, RecordMetadata origin, long eventTimestampMs) {
    put(headers, REASON, rejection.reason());
    put(headers, DETAIL, rejection.detail());
    put(headers, TOPIC, origin.topic());
    put(headers, PARTITION, Integer.toString(origin.partition()));
    put(headers, OFFSET, Long.toString(origin.offset()));
    put(headers, EVENT_TIMESTAMP, Long.toString(eventTimestampMs));
    return headers;
  }

  /** Adds the bucket a late record missed. */
  public static Headers annotateLate(Headers headers, long bucketStartMs, long bucketEndMs) {
    put(headers, LATE_BUCKET_START, Long.toString(bucketStartMs));
    put(headers, LATE_BUCKET_END, Long.toString(bucketEndMs));
    return headers;
  }

  /** The value of header {@code key}, or null. */
  public static String get(Headers headers, String key) {
    var h = headers.lastHeader(key);
    return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

  private static void put(Headers headers, String key, String value) {
    headers.remove(key);
    headers.add(key, value == null ? new byte[0] : value.getBytes(StandardCharsets.UTF_8));
  }
}

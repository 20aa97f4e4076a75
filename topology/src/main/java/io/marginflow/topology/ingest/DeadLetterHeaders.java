package io.marginflow.topology.ingest;

import io.marginflow.avro.internal.AttributionInput;
import io.marginflow.topology.domain.Rejection;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * The headers that name why and from where a record was dead-lettered or set aside as late (SPEC 2), and the bounded
 * record that takes it to the dead-letter or late topic.
 */
public final class DeadLetterHeaders {
  public static final String REASON = "marginflow.error.reason";
  public static final String DETAIL = "marginflow.error.detail";
  public static final String TOPIC = "marginflow.error.topic";
  public static final String PARTITION = "marginflow.error.partition";
  public static final String OFFSET = "marginflow.error.offset";
  public static final String EVENT_TIMESTAMP = "marginflow.error.timestamp";
  /** On a dead letter whose key was cut to {@link #MAX_KEY_BYTES}: the original key's size in bytes. */
  public static final String ORIGINAL_KEY_BYTES = "marginflow.error.original-key-bytes";
  /** On a dead letter whose value was cut to {@link #MAX_VALUE_BYTES}: the original value's size in bytes. */
  public static final String ORIGINAL_VALUE_BYTES = "marginflow.error.original-value-bytes";
  /**
   * The most of an original value a dead letter keeps. A record is only as large as its topic allows, but a dead
   * letter adds headers, and the gateway's dead letters come from HTTP bodies: kept well under the producers' and
   * topics' 1 MiB defaults, so that writing a dead letter never fails and never stalls a partition or a client.
   */
  public static final int MAX_VALUE_BYTES = 256 * 1024;
  /** The most of an original key a dead letter keeps (ids are at most 128 characters, 512 bytes in UTF-8). */
  public static final int MAX_KEY_BYTES = 1024;
  /** The most bytes of original headers a dead letter keeps; larger ones are dropped, their size in a header. */
  public static final int MAX_ORIGINAL_HEADER_BYTES = 64 * 1024;
  /** On a dead letter whose original headers were dropped: their size in bytes. */
  public static final String ORIGINAL_HEADER_BYTES = "marginflow.error.original-headers-bytes";
  /** The most characters of a detail header. */
  public static final int MAX_DETAIL_CHARS = 1024;
  /** On late records: the start (epoch ms) of the attribution bucket that was already final. */
  public static final String LATE_BUCKET_START = "marginflow.late.bucket-start";
  /** On late records: the end (epoch ms, exclusive) of that bucket. */
  public static final String LATE_BUCKET_END = "marginflow.late.bucket-end";

  private DeadLetterHeaders() {
  }

  /** Adds the reason and origin to {@code headers} (the original headers are kept). */
  public static Headers annotate(Headers headers, Rejection rejection, RecordMetadata origin, long eventTimestampMs) {
    put(headers, REASON, rejection.reason());
    put(headers, DETAIL, detail(rejection.detail()));
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

  /**
   * A copy of a rejected record's headers for its dead letter: all of them, or none (with their size in
   * {@link #ORIGINAL_HEADER_BYTES}) when they are over {@link #MAX_ORIGINAL_HEADER_BYTES}, so that the dead letter fits.
   */
  public static Headers kept(Headers original) {
    long total = 0;
    for (org.apache.kafka.common.header.Header h : original) {
      total += h.key().length() + (h.value() == null ? 0 : h.value().length);
    }
    if (total <= MAX_ORIGINAL_HEADER_BYTES) {
      return new org.apache.kafka.common.header.internals.RecordHeaders(original.toArray());
    }
    Headers none = new org.apache.kafka.common.header.internals.RecordHeaders();
    put(none, ORIGINAL_HEADER_BYTES, Long.toString(total));
    return none;
  }

  /** {@code detail} cut to {@link #MAX_DETAIL_CHARS}. */
  public static String detail(String detail) {
    return detail == null || detail.length() <= MAX_DETAIL_CHARS ? detail
        : detail.substring(0, MAX_DETAIL_CHARS) + "...";
  }

  /**
   * A dead letter's key: {@code key} itself, or its first {@link #MAX_KEY_BYTES} bytes with its size in the
   * {@link #ORIGINAL_KEY_BYTES} header.
   */
  public static byte[] boundKey(byte[] key, Headers headers) {
    return bound(key, MAX_KEY_BYTES, ORIGINAL_KEY_BYTES, headers);
  }

  /**
   * A dead letter's value: {@code value} itself, or its first {@link #MAX_VALUE_BYTES} bytes with its size in the
   * {@link #ORIGINAL_VALUE_BYTES} header.
   */
  public static byte[] boundValue(byte[] value, Headers headers) {
    return bound(value, MAX_VALUE_BYTES, ORIGINAL_VALUE_BYTES, headers);
  }

  private static byte[] bound(byte[] bytes, int max, String sizeHeader, Headers headers) {
    if (bytes == null || bytes.length <= max) {
      return bytes;
    }
    put(headers, sizeHeader, Integer.toString(bytes.length));
    return java.util.Arrays.copyOf(bytes, max);
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

  /** The headers of a rejected {@code record}: its own (bounded) and the rejection's. */
  static Headers annotate(Record<byte[], byte[]> record, RecordMetadata origin, Rejection rejection, long eventTs) {
    return annotate(kept(record.headers()), rejection, origin, eventTs);
  }

  /**
   * What takes a rejected {@code record} to {@code route}'s topic: its key and value, bounded (a dead letter or late
   * record is the original plus headers, and must never be too large to write), stamped with wall-clock {@code nowMs}
   * (retention must not delete a rejected record because its event time is old).
   */
  static Record<String, Routed<AttributionInput>> rejected(Route route, Record<byte[], byte[]> record, Headers headers,
      long nowMs) {
    return new Record<>((String) null, Routed.<AttributionInput>rejected(route, boundKey(record.key(), headers),
        boundValue(record.value(), headers)), nowMs, headers);
  }
}

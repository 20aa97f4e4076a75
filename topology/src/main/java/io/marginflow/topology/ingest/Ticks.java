package io.marginflow.topology.ingest;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Tick records (SPEC 1): progress markers that producers write to every partition of the usage and power topics
 * (key null, value null, header {@value #HEADER}, record timestamp = the event time the producer has reached). They
 * let a partition without traffic advance its stream time, so windows close everywhere; they carry no data. A null
 * value is what every other consumer of these topics (a Confluent Avro deserializer, kcat, a Connect sink) reads
 * as "no record" without failing.
 */
public final class Ticks {
  public static final String HEADER = io.marginflow.schemas.TickHeader.NAME;

  private Ticks() {
  }

  public static boolean isTick(Headers headers) {
    return headers != null && headers.lastHeader(HEADER) != null;
  }

  /** Headers that mark a tick. */
  public static Headers headers() {
    return new RecordHeaders().add(HEADER, "1".getBytes(StandardCharsets.UTF_8));
  }

  /** The tick saying that {@code partition} of {@code topic} has reached event time {@code eventTimeMs}. */
  public static <K, V> ProducerRecord<K, V> record(String topic, int partition, long eventTimeMs) {
    return new ProducerRecord<>(topic, partition, eventTimeMs, null, null, headers());
  }
}

package io.marginflow.topology.ingest;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Tick records: progress markers that producers write to every partition of the usage and power topics (record
 * timestamp = the event time the producer has reached, header {@value #HEADER}, empty value). They let a
 * partition without traffic advance its stream time, so windows close everywhere; they carry no data.
 */
public final class Ticks {
  public static final String HEADER = "marginflow.tick";

  private Ticks() {
  }

  public static boolean isTick(Headers headers) {
    return headers != null && headers.lastHeader(HEADER) != null;
  }

  /** Headers that mark a tick. */
  public static Headers headers() {
    return new RecordHeaders().add(HEADER, "1".getBytes(StandardCharsets.UTF_8));
  }
}

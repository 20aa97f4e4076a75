package io.marginflow.ops.ingest;

import java.util.Map;

/**
 * What the gateway reads of one OTLP span, whichever encoding it came in: ids in lower-case hex, end time in unix
 * nanoseconds, attribute values as String, Long, Double or Boolean (nested values as their JSON text).
 *
 * @param original the span as it came (OTLP JSON), kept for the dead-letter queue
 */
public record SpanView(String traceId, String spanId, long endTimeUnixNano, Map<String, Object> attributes,
    Map<String, Object> resource, String original) {
}

package io.marginflow.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the pipeline sent to its internal topics (repartition topics and changelogs): records and bytes (serialized key
 * and value) per topic, as acknowledged by the broker to the stream threads' producers ({@link TrafficInterceptor}).
 * Counted at the producers rather than read from the topics: Kafka Streams deletes repartition records once they are
 * consumed, and under exactly-once a topic's offsets also count the transaction markers.
 */
record InternalTraffic(Map<String, long[]> byTopic) {
  /** The setting that installs the counting in the pipeline's producers. */
  static final String SETTING = "kafka.producer.interceptor.classes";

  /** The traffic counted so far to the internal topics of {@code applicationId}. */
  static InternalTraffic of(String applicationId) {
    Map<String, long[]> byTopic = new TreeMap<>();
    String prefix = applicationId + "-";
    TrafficInterceptor.snapshot(prefix).forEach((topic, c) -> {
      if (topic.endsWith("-changelog") || topic.endsWith("-repartition")) {
        byTopic.put(topic.substring(prefix.length()), c);
      }
    });
    return new InternalTraffic(byTopic);
  }

  /** Adds the per-usage-event figures to {@code json}. */
  void describe(ObjectNode json, long events) {
    long records = 0;
    long bytes = 0;
    long changelog = 0;
    long repartition = 0;
    ObjectNode perTopic = json.objectNode();
    for (Map.Entry<String, long[]> e : byTopic.entrySet()) {
      long[] t = e.getValue();
      records += t[0];
      bytes += t[1];
      if (e.getKey().endsWith("-changelog")) {
        changelog += t[0];
      } else {
        repartition += t[0];
      }
      perTopic.put(e.getKey(), perEvent(t[0], events));
    }
    json.put("internal_records_per_event", perEvent(records, events))
        .put("internal_bytes_per_event", perEvent(bytes, events))
        .put("changelog_records_per_event", perEvent(changelog, events))
        .put("repartition_records_per_event", perEvent(repartition, events))
        .set("internal_records_per_event_by_topic", perTopic);
  }

  /** Four decimals, written plain (0.0003, not 3.0E-4). */
  private static java.math.BigDecimal perEvent(long n, long events) {
    return java.math.BigDecimal.valueOf(Math.round((double) n / events * 10_000), 4);
  }
}

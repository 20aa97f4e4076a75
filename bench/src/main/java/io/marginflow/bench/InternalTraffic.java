package io.marginflow.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.marginflow.topology.app.MarginflowApp;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;

/**
 * What the pipeline sent to its internal topics (repartition topics and changelogs): records and bytes per topic, as
 * counted by the stream threads' producers ({@code producer-topic-metrics}: {@code record-send-total}, and
 * {@code byte-total}, the topic's share of the compressed batches sent). Read from the producers rather than from
 * the topics: Kafka Streams deletes repartition records once they are consumed, and under exactly-once a topic's
 * offsets also count the transaction markers.
 */
record InternalTraffic(Map<String, long[]> byTopic) {
  private static final String GROUP = "producer-topic-metrics";

  /** The traffic of {@code apps}' producers to the internal topics of {@code applicationId}, before they close. */
  static InternalTraffic of(Iterable<MarginflowApp> apps, String applicationId) {
    Map<String, long[]> byTopic = new TreeMap<>();
    String prefix = applicationId + "-";
    for (MarginflowApp app : apps) {
      for (Map.Entry<MetricName, ? extends Metric> e : app.streams().metrics().entrySet()) {
        MetricName name = e.getKey();
        String topic = name.tags().get("topic");
        if (!GROUP.equals(name.group()) || topic == null || !topic.startsWith(prefix)
            || !(topic.endsWith("-changelog") || topic.endsWith("-repartition"))) {
          continue;
        }
        int slot = switch (name.name()) {
          case "record-send-total" -> 0;
          case "byte-total" -> 1;
          default -> -1;
        };
        if (slot >= 0 && e.getValue().metricValue() instanceof Number n) {
          byTopic.computeIfAbsent(topic.substring(prefix.length()), t -> new long[2])[slot] += n.longValue();
        }
      }
    }
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

package io.marginflow.topology.metrics;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.streams.StreamsMetrics;

/**
 * Counters of what happened to input records (dead-lettered by reason, late, duplicate, unpriced, ...), as Kafka
 * Streams metrics (group stream-marginflow-metrics, a rate and a total each) so every metrics reporter sees them.
 */
public final class PipelineMetrics {
  public static final String SCOPE = "marginflow";
  private final StreamsMetrics metrics;
  private final String entity;
  private final Map<String, Sensor> sensors = new HashMap<>();

  public PipelineMetrics(StreamsMetrics metrics, String entity) {
    this.metrics = metrics;
    this.entity = entity;
  }

  /** Counts one occurrence of {@code event}, e.g. "late" or "dead-lettered-future-timestamp". */
  public void count(String event) {
    sensor(event).record();
  }

  /** Makes the counters of {@code events} visible at zero before anything happened (dashboards see 0, not nothing). */
  public void declare(String... events) {
    for (String event : events) {
      sensor(event);
    }
  }

  private Sensor sensor(String event) {
    String operation = event.toLowerCase(Locale.ROOT).replace('_', '-');
    return sensors.computeIfAbsent(operation, op -> metrics.addRateTotalSensor(SCOPE, entity, op, Sensor.RecordingLevel.INFO));
  }
}

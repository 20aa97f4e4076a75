package io.marginflow.topology.ingest;

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
    String operation = event.toLowerCase(Locale.ROOT).replace('_', '-');
    sensors.computeIfAbsent(operation, op -> metrics.addRateTotalSensor(SCOPE, entity, op, Sensor.RecordingLevel.INFO))
        .record();
  }
}

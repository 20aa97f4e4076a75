package io.marginflow.topology.metrics;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.streams.StreamsMetrics;
import org.apache.kafka.streams.processor.api.ProcessingContext;

/**
 * Counters of what happened to input records (dead-lettered by reason, late, duplicate, unpriced, ...), as Kafka
 * Streams metrics (group stream-marginflow-metrics, a rate and a total each) so every metrics reporter sees them.
 */
public final class PipelineMetrics {
  public static final String SCOPE = "marginflow";
  private final StreamsMetrics metrics;
  private final String entity;
  private final Map<String, Sensor> sensors = new HashMap<>();
  private final PipelineMeters meters;

  public PipelineMetrics(StreamsMetrics metrics, String entity) {
    this(metrics, entity, null);
  }

  /** Also counting into the instance's {@link PipelineMeters}, when the application configs carry them. */
  public PipelineMetrics(ProcessingContext context, String entity) {
    this(context.metrics(), entity, context.appConfigs().get(PipelineMeters.CONFIG) instanceof PipelineMeters m ? m : null);
  }

  private PipelineMetrics(StreamsMetrics metrics, String entity, PipelineMeters meters) {
    this.metrics = metrics;
    this.entity = entity;
    this.meters = meters != null ? meters : new PipelineMeters("usage", "power");
  }

  /** The instance's meters (a detached set when the application has none, as in topology unit tests). */
  public PipelineMeters meters() {
    return meters;
  }

  /** Counts one occurrence of {@code event}, e.g. "late" or "dead-lettered-future-timestamp". */
  public void count(String event) {
    sensor(event).record();
    forward(event);
  }

  /** The events that have a meter of their own (README, Metrics). */
  private void forward(String event) {
    if (event.startsWith("dead-lettered-")) {
      meters.deadLetter(entity, event.substring("dead-lettered-".length()));
    } else if (event.equals("late")) {
      meters.late(entity);
    } else if (event.startsWith("late-") && event.endsWith("-after-finalization")) {
      meters.late(event.substring("late-".length(), event.length() - "-after-finalization".length()));
    } else if (event.equals("duplicate")) {
      meters.duplicate(entity);
    } else if (event.equals("duplicate-power-sample")) {
      meters.duplicate("power");
    } else if (event.equals("unpriced")) {
      meters.unpriced();
    } else if (event.equals("unknown-node-bucket")) {
      meters.unknownNodeBucket();
    }
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

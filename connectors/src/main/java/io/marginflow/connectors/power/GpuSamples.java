package io.marginflow.connectors.power;

import io.marginflow.avro.PowerSample;
import io.marginflow.connectors.power.EnergyIntegrator.Mark;
import io.marginflow.connectors.power.EnergyIntegrator.Step;
import io.marginflow.connectors.power.GpuReadings.GpuKey;
import io.marginflow.connectors.power.GpuReadings.Reading;
import io.marginflow.connectors.power.PowerSourceConfig.Endpoint;
import io.marginflow.serde.ConfluentAvroSerializer;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * Each GPU's mark (where its next sample starts) and the PowerSample records integrated from it: one source partition
 * per endpoint and GPU, its offset the mark, so that a restarted task resumes from the last committed sample.
 */
final class GpuSamples {
  private final Map<Map<String, Object>, Mark> marks = new HashMap<>();
  private final String topic;
  private final ConfluentAvroSerializer<PowerSample> values;
  private final PowerSourceMetrics counters;
  private final UnaryOperator<Map<String, Object>> committedOffsets;

  /** {@code committedOffsets} gives the worker's stored offset of a source partition, or null. */
  GpuSamples(String topic, ConfluentAvroSerializer<PowerSample> values, PowerSourceMetrics counters,
      UnaryOperator<Map<String, Object>> committedOffsets) {
    this.topic = topic;
    this.values = values;
    this.counters = counters;
    this.committedOffsets = committedOffsets;
  }

  /** A GPU missing from this scrape starts over when it comes back: its interval would begin before the tick. */
  void forgetMissing(Endpoint endpoint, Map<GpuKey, Reading> readings) {
    marks.keySet().removeIf(k -> endpoint.toString().equals(k.get("endpoint"))
        && !readings.containsKey(new GpuKey((String) k.get("node"), (String) k.get("gpu"))));
  }

  /** Integrates one GPU's reading at {@code now}; returns its mark's time (where its next sample will start). */
  long integrate(Endpoint endpoint, GpuKey gpu, Reading reading, long now, List<SourceRecord> out) {
    Map<String, Object> source = Map.of("endpoint", endpoint.toString(), "node", gpu.node(), "gpu", gpu.gpu());
    Mark last = marks.containsKey(source) ? marks.get(source) : storedMark(source);
    Step step = EnergyIntegrator.step(last, reading, now);
    marks.put(source, step.mark());
    counters.stepped(step);
    if (step.sample() == null) {
      return step.mark().atMs();
    }
    EnergyIntegrator.Interval i = step.sample();
    PowerSample sample = PowerSample.newBuilder().setTimestampMs(Instant.ofEpochMilli(i.startMs())).setNodeId(gpu.node())
        .setGpuId(gpu.gpu()).setIntervalMs(i.intervalMs()).setAvgPowerWatts(i.avgPowerWatts())
        .setGpuUtilization(i.utilization()).build();
    Map<String, Object> offset = new HashMap<>();
    offset.put("energy_j", step.mark().energyJoules());
    offset.put("at_ms", step.mark().atMs());
    out.add(new SourceRecord(source, offset, topic, null, Schema.STRING_SCHEMA, gpu.node(), Schema.OPTIONAL_BYTES_SCHEMA,
        values.serialize(topic, sample), i.startMs()));
    return step.mark().atMs();
  }

  /** The mark committed with the last sample of this GPU before a restart, if any. */
  private Mark storedMark(Map<String, Object> source) {
    Map<String, Object> offset = committedOffsets.apply(source);
    if (offset == null || !(offset.get("at_ms") instanceof Number at)) {
      return null;
    }
    Object energy = offset.get("energy_j");
    return new Mark(energy instanceof Number n ? n.doubleValue() : null, at.longValue());
  }
}

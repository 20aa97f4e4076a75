package io.marginflow.ops.scenario;

import io.marginflow.avro.PowerSample;
import io.marginflow.avro.TokenUsage;
import java.time.Instant;
import java.util.List;
import java.util.Random;

/**
 * The generator's workload as a live stream: requests and the power they cause, 15 s of event time at a time,
 * then a tick so every partition's stream time follows. The caller decides how fast event time advances.
 */
public final class LiveLoad {
  /** Where live events go (the demo: Kafka producers). */
  public interface Sink {
    void usage(TokenUsage usage);

    void power(PowerSample sample);

    /** Every partition of the usage and power topics has reached {@code eventTimeMs}. */
    void tick(long eventTimeMs);
  }

  private final GeneratorOptions options;
  private final Workload workload;
  private final Random rng;
  private final double capacity;

  public LiveLoad(GeneratorOptions options, String idPrefix) {
    ScenarioGenerator generator = new ScenarioGenerator(options);
    this.options = options;
    this.workload = generator.workload();
    this.rng = generator.random();
    // A node runs at TDP when it serves its full capacity (ScenarioGenerator.NODE_WEIGHTED_TOKENS_PER_S).
    this.capacity = ScenarioGenerator.NODE_WEIGHTED_TOKENS_PER_S * ScenarioGenerator.SAMPLE_MS / 1000.0;
    workload.idPrefix(idPrefix);
  }

  /** Emits the events of [fromMs, fromMs + 15 s) and a tick at its end; returns the new cursor. */
  public long step(long fromMs, Sink sink) {
    long to = fromMs + ScenarioGenerator.SAMPLE_MS;
    List<Workload.Request> requests = workload.slice(fromMs, to);
    for (Workload.Request r : requests) {
      sink.usage(TokenUsage.newBuilder().setEventId(r.eventId()).setTimestampMs(Instant.ofEpochMilli(r.timestampMs()))
          .setTenantId(Workload.tenant(r.tenant())).setModel(ScenarioGenerator.MODELS[r.model()][0])
          .setRegion(Workload.regionOf(r.node())).setNodeId(Workload.node(r.node())).setInputTokens(r.inputTokens())
          .setCachedInputTokens(r.cachedTokens()).setOutputTokens(r.outputTokens()).build());
    }
    double[] load = workload.loadOf(requests);
    for (int n = 0; n < options.nodes(); n++) {
      double util = Math.min(1.0, load[n] / capacity);
      for (int g = 0; g < ScenarioGenerator.GPUS; g++) {
        sink.power(PowerSample.newBuilder().setTimestampMs(Instant.ofEpochMilli(fromMs)).setNodeId(Workload.node(n))
            .setGpuId(Integer.toString(g)).setIntervalMs(ScenarioGenerator.SAMPLE_MS)
            .setAvgPowerWatts(ScenarioGenerator.watts(util, rng)).setGpuUtilization(util).build());
      }
    }
    sink.tick(to);
    return to;
  }
}

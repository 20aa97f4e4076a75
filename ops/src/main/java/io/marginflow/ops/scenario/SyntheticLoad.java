package io.marginflow.ops.scenario;

import io.marginflow.avro.PowerSample;
import io.marginflow.avro.TokenUsage;
import java.time.Instant;
import java.util.Random;

/**
 * A benchmark's input, streamed without holding it in memory: {@code events} requests spread evenly over event time
 * at {@code eventsPerSecond}, from skewed tenants to uniformly chosen nodes, the power samples of every GPU of every
 * node each 15 s, and a tick every minute of event time. Node names, regions and models are the generator's, so its
 * reference files (nodes, price book, energy prices) price everything.
 */
public final class SyntheticLoad {
  private static final long TICK_MS = 60_000;
  private final long events;
  private final int tenants;
  private final int nodes;
  private final double eventsPerSecond;
  private final long startMs;
  private final Random rng;
  private final int gpus;
  private final long sampleMs;

  public SyntheticLoad(long events, int tenants, int nodes, double eventsPerSecond, Instant start, long seed) {
    this(events, tenants, nodes, eventsPerSecond, start, seed, ScenarioGenerator.GPUS, ScenarioGenerator.SAMPLE_MS);
  }

  /** With {@code gpus} power samples per node every {@code sampleMs} (fewer for fleets of thousands of nodes). */
  public SyntheticLoad(long events, int tenants, int nodes, double eventsPerSecond, Instant start, long seed, int gpus,
      long sampleMs) {
    if (events < 1 || tenants < 1 || nodes < 1 || eventsPerSecond <= 0 || gpus < 1 || sampleMs < 1) {
      throw new IllegalArgumentException("events, tenants, nodes, gpus >= 1 and a positive rate and sample interval");
    }
    this.gpus = gpus;
    this.sampleMs = sampleMs;
    this.events = events;
    this.tenants = tenants;
    this.nodes = nodes;
    this.eventsPerSecond = eventsPerSecond;
    this.startMs = Math.floorDiv(start.toEpochMilli(), sampleMs) * sampleMs;
    this.rng = new Random(seed);
  }

  /** The number of usage events. */
  public long events() {
    return events;
  }

  /** Reference data matching the load's nodes and models. */
  public GeneratorOptions referenceOptions(long seed) {
    return new GeneratorOptions(tenants, nodes, 1, seed, Instant.ofEpochMilli(startMs), 1, null);
  }

  /** Sends everything to {@code sink}; returns (power samples sent, last event time). */
  public long[] emit(LiveLoad.Sink sink) {
    long nextSample = startMs;
    long nextTick = startMs + TICK_MS;
    long samples = 0;
    long last = startMs;
    for (long i = 0; i < events; i++) {
      long ts = startMs + (long) (i * 1000.0 / eventsPerSecond);
      while (nextSample <= ts) {
        samples += power(sink, nextSample);
        nextSample += sampleMs;
      }
      if (ts >= nextTick) {
        sink.tick(nextTick);
        nextTick += TICK_MS;
      }
      sink.usage(request(i, ts));
      last = ts;
    }
    // Power for the rest of the last sample period, so the last bucket has its energy too.
    while (nextSample <= last) {
      samples += power(sink, nextSample);
      nextSample += sampleMs;
    }
    return new long[] {samples, last};
  }

  private TokenUsage request(long i, long ts) {
    // Skewed tenants: a few large ones, a long tail (square of a uniform draw).
    double u = rng.nextDouble();
    int tenant = (int) (tenants * u * u);
    int node = rng.nextInt(nodes);
    int input = 200 + rng.nextInt(1800);
    return TokenUsage.newBuilder().setEventId("ev-" + i).setTimestampMs(Instant.ofEpochMilli(ts))
        .setTenantId(Workload.tenant(tenant)).setModel(ScenarioGenerator.MODELS[rng.nextInt(4)][0])
        .setRegion(Workload.regionOf(node)).setNodeId(Workload.node(node)).setInputTokens(input)
        .setCachedInputTokens(rng.nextInt(input / 2)).setOutputTokens(50 + rng.nextInt(550)).build();
  }

  private int power(LiveLoad.Sink sink, long ts) {
    for (int n = 0; n < nodes; n++) {
      for (int g = 0; g < gpus; g++) {
        sink.power(PowerSample.newBuilder().setTimestampMs(Instant.ofEpochMilli(ts)).setNodeId(Workload.node(n))
            .setGpuId(Integer.toString(g)).setIntervalMs(sampleMs)
            .setAvgPowerWatts(300 + rng.nextInt(400)).build());
      }
    }
    return nodes * gpus;
  }
}

package io.marginflow.topology.ingest;

import io.marginflow.avro.PowerSample;
import io.marginflow.avro.internal.AttributionInput;
import io.marginflow.avro.internal.PowerReading;
import io.marginflow.topology.store.StoreNames;
import io.marginflow.topology.config.TopologyConfig;
import io.marginflow.topology.domain.Rejection;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * Ingest of PowerSamples (source partitions keyed by node, read in the attribution's own task): validation and
 * lateness; duplicates of (node, gpu, timestamp) are dropped by the bucket that holds them.
 */
public final class PowerIngest implements ProcessorSupplier<byte[], byte[], String, Routed<AttributionInput>> {
  public static final String SOURCE = "power";
  private final TopologyConfig config;
  private final Deserializer<PowerSample> deserializer;

  public PowerIngest(TopologyConfig config, Deserializer<PowerSample> deserializer) {
    this.config = config;
    this.deserializer = deserializer;
  }

  @Override
  public Processor<byte[], byte[], String, Routed<AttributionInput>> get() {
    return new PowerIngestProcessor(config, deserializer);
  }

  @Override
  public Set<StoreBuilder<?>> stores() {
    return Set.of(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(StoreNames.POWER_PROGRESS), Serdes.String(),
        Serdes.Long()).withCachingEnabled());
  }

  static final class PowerIngestProcessor extends IngestProcessor<PowerSample> {
    PowerIngestProcessor(TopologyConfig config, Deserializer<PowerSample> deserializer) {
      super(config, SOURCE, StoreNames.POWER_PROGRESS, deserializer);
    }

    @Override
    Optional<Rejection> validate(PowerSample event, long nowMs) {
      return config.validation().check(event, nowMs);
    }

    @Override
    long eventTime(PowerSample event) {
      return event.getTimestampMs().toEpochMilli();
    }

    @Override
    void accept(PowerSample p, long ts) {
      PowerReading reading = new PowerReading(p.getTimestampMs(), p.getNodeId(), p.getGpuId(), p.getIntervalMs(),
          p.getAvgPowerWatts());
      emit(new Record<>(p.getNodeId(), Routed.main(AttributionInput.newBuilder().setPower(reading).build()), ts));
    }

  }
}

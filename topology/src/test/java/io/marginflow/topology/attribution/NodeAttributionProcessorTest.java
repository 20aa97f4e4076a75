package io.marginflow.topology.attribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.marginflow.avro.internal.AttributionInput;
import io.marginflow.avro.internal.MarginInput;
import org.apache.avro.specific.SpecificRecord;
import io.marginflow.avro.internal.PowerReading;
import io.marginflow.avro.internal.UsageCharge;
import io.marginflow.avro.internal.Watermark;
import io.marginflow.registry.RegistryClientConfig;
import io.marginflow.topology.store.StoreNames;
import io.marginflow.topology.config.TopologyConfig;
import io.marginflow.topology.serde.MarginflowSerdes;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeAttributionProcessorTest {
  private static final long B = 1_767_607_200_000L;
  private MockProcessorContext<String, SpecificRecord> context;
  private NodeAttributionProcessor processor;

  @TempDir
  java.nio.file.Path stateDir;

  @BeforeEach
  void setUp() {
    // Finalization alone: the dynamic-pricing gate (which waits for the pricing tasks' marks) is tested on the topology.
    TopologyConfig config = TopologyConfig.with(Map.of("pricing.dynamic.enabled", "false"), 2);
    MarginflowSerdes serdes = new MarginflowSerdes(Map.of(RegistryClientConfig.URL, "mock://attribution-unit"));
    java.util.Properties props = new java.util.Properties();
    props.put("application.id", "attribution-unit");
    props.put("bootstrap.servers", "unused:9092");
    context = new MockProcessorContext<>(props, new org.apache.kafka.streams.processor.TaskId(0, 0), stateDir.toFile());
    // In-memory twins of the supplier's stores (same names), so the unit test needs no RocksDB or record cache.
    add(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(StoreNames.NODE_BUCKETS), Serdes.String(),
        serdes.value(io.marginflow.avro.internal.NodeBucketState.class)).withLoggingDisabled());
    add(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(StoreNames.NODE_BUCKET_LINES), Serdes.String(),
        new MarginflowSerdes(Map.of(RegistryClientConfig.URL, "mock://attribution-unit-lines"))
            .value(io.marginflow.avro.internal.BucketLineState.class)).withLoggingDisabled());
    add(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(StoreNames.ATTRIBUTION_PROGRESS), Serdes.String(),
        Serdes.Long()).withLoggingDisabled());
    add(Stores.windowStoreBuilder(Stores.inMemoryWindowStore(StoreNames.NODE_ENERGY, java.time.Duration.ofDays(2),
        java.time.Duration.ofMinutes(1), false), Serdes.String(),
        new MarginflowSerdes(Map.of(RegistryClientConfig.URL, "mock://attribution-unit-energy"))
            .value(io.marginflow.avro.internal.NodeBucketSummary.class)).withLoggingDisabled());
    add(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(StoreNames.PRICING_SCHEDULE), Serdes.String(), Serdes.String())
        .withLoggingDisabled());
    add(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(StoreNames.NODE_PROFILES), Serdes.String(), Serdes.String())
        .withLoggingDisabled());
    add(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(StoreNames.ENERGY_PRICES), Serdes.String(), Serdes.String())
        .withLoggingDisabled());
    processor = new NodeAttributionProcessor(config);
    processor.init(context);
  }

  private void add(StoreBuilder<?> builder) {
    var store = builder.build();
    store.init(context.getStateStoreContext(), store);
    context.addStateStore(store);
  }

  private void send(AttributionInput in) {
    processor.process(new Record<>("k", in, 0L));
  }

  private static AttributionInput watermark(String source, int partition, long ms) {
    return AttributionInput.newBuilder().setWatermark(new Watermark(source, partition, 2, ms)).build();
  }

  private List<MarginInput> values() {
    return context.forwarded().stream().map(r -> r.record().value()).filter(MarginInput.class::isInstance)
        .map(MarginInput.class::cast).toList();
  }

  @Test
  void shouldFinalizeOnlyWhenEveryInputHasPassedTheBucket() {
    send(AttributionInput.newBuilder().setCharge(new UsageCharge("e1", Instant.ofEpochMilli(B), "A", "m", "r", "n1", 10L, 0L,
        5L, new BigDecimal("0.000001000000000000"), true)).build());
    send(AttributionInput.newBuilder().setPower(new PowerReading(Instant.ofEpochMilli(B), "n1", "0", 60_000L, 600.0)).build());
    long past = B + 60_000 + 300_000 + 1;
    send(watermark("usage", 0, past));
    send(watermark("power", 0, past));
    assertTrue(context.forwarded().isEmpty(), "usage partition 1 has not reported: nothing is final yet");
    send(watermark("usage", 1, past - 1));
    List<MarginInput> early = values();
    assertEquals(1, early.size(), "the slowest input is exactly at bucket end + grace: not past it, so no share yet");
    assertEquals(B, early.get(0).getProgress().getFinalizedThroughMs(), "progress: buckets ending by B are final");
    context.resetForwards();
    send(watermark("usage", 1, past));
    List<MarginInput> out = values();
    assertEquals(2, out.size());
    assertEquals("A", out.get(0).getShare().getTenantId());
    // 600 W x 60 s = 0.01 kWh x 0.10 default = 0.001 USD, unknown node: no fixed cost
    assertEquals(new BigDecimal("0.001000000"), out.get(0).getShare().getEnergyCostUsd());
    assertEquals(B + 60_000, out.get(1).getProgress().getFinalizedThroughMs());
    KeyValueStore<String, ?> buckets = context.getStateStore(StoreNames.NODE_BUCKETS);
    assertEquals(0, buckets.approximateNumEntries(), "finalized buckets are removed");
    KeyValueStore<String, ?> lines = context.getStateStore(StoreNames.NODE_BUCKET_LINES);
    assertEquals(0, lines.approximateNumEntries(), "and their lines");
  }
}

package io.marginflow.topology.attribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.marginflow.avro.internal.AttributionInput;
import io.marginflow.avro.internal.CostSlice;
import io.marginflow.avro.internal.PartitionLoad;
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

  private int partitions;
  private int runs;

  @BeforeEach
  void setUp() {
    // Finalization alone: the dynamic-pricing gate (which waits for the pricing tasks' marks) is tested on the topology.
    start(Map.of("pricing.dynamic.enabled", "false"), 2);
  }

  private final List<org.apache.kafka.streams.processor.StateStore> opened = new java.util.ArrayList<>();

  @org.junit.jupiter.api.AfterEach
  void closeStores() {
    opened.forEach(org.apache.kafka.streams.processor.StateStore::close);
    opened.clear();
  }

  private void start(Map<String, String> settings, int inputPartitions) {
    closeStores();
    this.partitions = inputPartitions;
    TopologyConfig config = TopologyConfig.with(settings, inputPartitions);
    MarginflowSerdes serdes = new MarginflowSerdes(Map.of(RegistryClientConfig.URL, "mock://attribution-unit"));
    java.util.Properties props = new java.util.Properties();
    props.put("application.id", "attribution-unit");
    props.put("bootstrap.servers", "unused:9092");
    context = new MockProcessorContext<>(props, new org.apache.kafka.streams.processor.TaskId(0, 0),
        stateDir.resolve("run-" + (++runs)).toFile());
    // The supplier's own stores (RocksDB in the temp folder), without the record cache and changelog that a mock
    // context cannot give them; the two global tables it reads are plain in-memory stores of the same names.
    NodeAttribution supplier = new NodeAttribution(config, serdes.value(io.marginflow.avro.internal.NodeBucketState.class),
        new MarginflowSerdes(Map.of(RegistryClientConfig.URL, "mock://attribution-unit-lines"))
            .value(io.marginflow.avro.internal.BucketLineState.class),
        new MarginflowSerdes(Map.of(RegistryClientConfig.URL, "mock://attribution-unit-energy"))
            .value(io.marginflow.avro.internal.NodeBucketSummary.class));
    for (StoreBuilder<?> b : supplier.stores()) {
      add(b.withCachingDisabled().withLoggingDisabled());
    }
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
    opened.add(store);
  }

  private void send(AttributionInput in) {
    processor.process(new Record<>("k", in, 0L));
  }

  private AttributionInput watermark(String source, int partition, long ms) {
    return AttributionInput.newBuilder().setWatermark(new Watermark(source, partition, partitions, ms)).build();
  }

  private List<MarginInput> values() {
    return context.forwarded().stream().map(r -> r.record().value()).filter(MarginInput.class::isInstance)
        .map(MarginInput.class::cast).toList();
  }

  @Test
  void shouldFinalizeOnlyWhenEveryInputHasPassedTheBucket() {
    send(load(0, 1, "30"));
    sendPower();
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
    assertEquals(0, out.get(0).getSlice().getPartition(), "the one usage partition with load gets the bucket's slice");
    // 600 W x 60 s = 0.01 kWh x 0.10 default = 0.001 USD, unknown node: no fixed cost
    assertEquals(new BigDecimal("0.001000000"), out.get(0).getSlice().getEnergyCostUsd());
    assertEquals(B + 60_000, out.get(1).getProgress().getFinalizedThroughMs());
    KeyValueStore<String, ?> buckets = context.getStateStore(StoreNames.NODE_BUCKETS);
    assertEquals(0, buckets.approximateNumEntries(), "finalized buckets are removed");
    KeyValueStore<String, ?> lines = context.getStateStore(StoreNames.NODE_BUCKET_LINES);
    assertEquals(0, lines.approximateNumEntries(), "and their lines");
  }

  /** Two-level split (SPEC 3): the node task allocates C to the usage partitions by their summed weight. */
  @Test
  void shouldSliceTheBucketAmongUsagePartitionsByLargestRemainderInPartitionOrder() {
    twoLevelOnThreePartitions();
    // 600 W x 60 s = 0.01 kWh x 0.10 USD/kWh = 0.001 USD (unknown node: pue 1, no fixed cost); W = 1 + 1 + 1.
    send(load(0, 1, "1"));
    send(load(2, 1, "0.25"));
    send(load(1, 2, "1"));
    send(load(2, 1, "0.75"));
    // A request line of an earlier release's node split: dropped, never a partition of its own.
    send(AttributionInput.newBuilder().setCharge(new UsageCharge("e1", Instant.ofEpochMilli(B), "A", "m", "r", "n1", 10L, 0L,
        5L, new BigDecimal("0.000001000000000000"), true)).build());
    sendPower();
    passAll();
    List<MarginInput> out = values();
    assertEquals(4, out.size(), "three slices, then the progress mark: " + out);
    // 1e6 nanos / 3 = 333,333.33 each: one nano left, to the first of the tied remainders (partition 0).
    String[] expected = {"0.000333334", "0.000333333", "0.000333333"};
    for (int p = 0; p < 3; p++) {
      CostSlice slice = out.get(p).getSlice();
      assertEquals(p, slice.getPartition());
      assertEquals(new BigDecimal(expected[p]), slice.getTotalCostUsd(), "partition " + p);
      assertEquals(new BigDecimal(expected[p]), slice.getEnergyCostUsd(), "all of it energy, partition " + p);
      assertEquals(0, new BigDecimal("3").compareTo(slice.getNodeWeight()));
      assertEquals(0, BigDecimal.ONE.compareTo(slice.getPartitionWeight()));
      assertEquals(0, new BigDecimal("0.01").compareTo(slice.getNodeEnergyKwh()));
      assertEquals(false, slice.getIdle());
    }
    assertEquals(B + 60_000, out.get(3).getProgress().getFinalizedThroughMs());
  }

  @Test
  void shouldSendEachPartitionWithRequestsASliceEvenAWeightlessOne() {
    twoLevelOnThreePartitions();
    send(load(2, 1, "1"));
    send(load(1, 4, "0"));
    send(load(0, 1, "2"));
    sendPower();
    passAll();
    List<CostSlice> slices = values().stream().filter(m -> m.getSlice() != null).map(MarginInput::getSlice).toList();
    // 2/3 and 1/3 of 1e6 nanos: 666,666.67 and 333,333.33; the left-over nano to the larger remainder (partition 0).
    assertEquals(List.of(0, 1, 2), slices.stream().map(CostSlice::getPartition).toList());
    assertEquals(List.of(new BigDecimal("0.000666667"), new BigDecimal("0.000000000"), new BigDecimal("0.000333333")),
        slices.stream().map(CostSlice::getTotalCostUsd).toList());
  }

  @Test
  void shouldSendAWeightlessBucketWholeToThePartitionOfIdle() {
    twoLevelOnThreePartitions();
    sendPower();
    passAll();
    List<CostSlice> slices = values().stream().filter(m -> m.getSlice() != null).map(MarginInput::getSlice).toList();
    assertEquals(1, slices.size());
    CostSlice idle = slices.get(0);
    assertTrue(idle.getIdle());
    assertEquals(new BigDecimal("0.001000000"), idle.getTotalCostUsd());
    // Where the producer's own partitioner puts the key __idle__ on a 3-partition usage topic.
    byte[] key = new org.apache.kafka.common.serialization.StringSerializer().serialize("usage", "__idle__");
    assertEquals(org.apache.kafka.clients.producer.internals.BuiltInPartitioner.partitionForKey(key, 3), idle.getPartition());
  }

  private void twoLevelOnThreePartitions() {
    start(Map.of("pricing.dynamic.enabled", "false"), 3);
  }

  /** 600 W for the whole bucket B of node n1. */
  private void sendPower() {
    send(AttributionInput.newBuilder().setPower(new PowerReading(Instant.ofEpochMilli(B), "n1", "0", 60_000L, 600.0)).build());
  }

  private void passAll() {
    long past = B + 60_000 + 300_000 + 1;
    for (int p = 0; p < partitions; p++) {
      send(watermark("usage", p, past));
    }
    send(watermark("power", 0, past));
  }

  private static AttributionInput load(int partition, long requests, String weight) {
    return AttributionInput.newBuilder().setLoad(PartitionLoad.newBuilder().setBucketStartMs(Instant.ofEpochMilli(B))
        .setNodeId("n1").setSourcePartition(partition).setRequests(requests).setInputTokens(requests).setCachedInputTokens(0)
        .setOutputTokens(0).setWeight(new BigDecimal(weight).setScale(18)).build()).build();
  }
}

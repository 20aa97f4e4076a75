package io.marginflow.topology.attribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.marginflow.avro.internal.AttributionProgress;
import io.marginflow.avro.internal.BucketShare;
import io.marginflow.avro.internal.CostSlice;
import io.marginflow.avro.internal.MarginInput;
import io.marginflow.avro.internal.PricingInput;
import io.marginflow.avro.internal.PackedLine;
import io.marginflow.avro.internal.UsageLinePack;
import io.marginflow.registry.RegistryClientConfig;
import io.marginflow.topology.config.TopologyConfig;
import io.marginflow.topology.serde.MarginflowSerdes;
import io.marginflow.topology.store.BucketKeys;
import io.marginflow.topology.store.StoreNames;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The usage partition's side of the two-level split, alone: a slice among the kept lines, and lines left orphaned. */
class PartitionSplitTest {
  private static final long B = 1_767_607_200_000L;
  private MockProcessorContext<String, SpecificRecord> context;
  private Processor<String, MarginInput, String, SpecificRecord> processor;
  private KeyValueStore<String, UsageLinePack> lines;
  private long seq;

  @TempDir
  java.nio.file.Path stateDir;

  @BeforeEach
  void setUp() {
    TopologyConfig config = TopologyConfig.with(Map.of("pricing.dynamic.enabled", "false"), 1);
    java.util.Properties props = new java.util.Properties();
    props.put("application.id", "split-unit");
    props.put("bootstrap.servers", "unused:9092");
    context = new MockProcessorContext<>(props, new org.apache.kafka.streams.processor.TaskId(0, 0), stateDir.toFile());
    add(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(StoreNames.USAGE_LINES), Serdes.String(),
        new MarginflowSerdes(Map.of(RegistryClientConfig.URL, "mock://split-unit")).value(UsageLinePack.class))
        .withLoggingDisabled());
    // The supplier's own stores without cache and changelog (a mock context has neither); the lines store is the usage
    // ingest's, shared with it in the topology.
    PartitionSplit supplier = new PartitionSplit(config);
    for (StoreBuilder<?> b : supplier.stores()) {
      add(b.withCachingDisabled().withLoggingDisabled());
    }
    lines = context.getStateStore(StoreNames.USAGE_LINES);
    processor = supplier.get();
    processor.init(context);
  }

  private final List<org.apache.kafka.streams.processor.StateStore> opened = new java.util.ArrayList<>();

  @org.junit.jupiter.api.AfterEach
  void closeStores() {
    opened.forEach(org.apache.kafka.streams.processor.StateStore::close);
  }

  private void add(StoreBuilder<?> builder) {
    var store = builder.build();
    store.init(context.getStateStoreContext(), store);
    context.addStateStore(store);
    opened.add(store);
  }

  /** One pack (as one commit of the usage ingest writes it) holding one request's line. */
  private void keep(long bucket, String tenant, String weight) {
    PackedLine l = PackedLine.newBuilder().setTenantId(tenant).setModel("m").setRegion("r").setRequests(1).setInputTokens(1)
        .setCachedInputTokens(0).setOutputTokens(0).setUnpricedRequests(0).setWeight(new BigDecimal(weight).setScale(18))
        .setRevenueUsd(new BigDecimal("0.000001").setScale(18)).build();
    lines.put(BucketKeys.numbered(BucketKeys.bucket(bucket, "n1"), seq++),
        new UsageLinePack(Instant.ofEpochMilli(bucket), "n1", List.of(l)));
  }

  @Test
  void shouldSplitASliceAmongTheKeptLinesAndForgetThem() {
    keep(B, "B", "1");
    keep(B, "A", "1.5");
    keep(B, "A", "0.5");
    CostSlice slice = CostSlice.newBuilder().setPartition(0).setBucketStartMs(Instant.ofEpochMilli(B)).setNodeId("n1")
        .setNodeRegion("r").setIdle(false).setTotalCostUsd(new BigDecimal("0.000000010"))
        .setEnergyCostUsd(new BigDecimal("0.000000004")).setNodeCostUsd(new BigDecimal("0.00000001").setScale(18))
        .setNodeEnergyKwh(new BigDecimal("0.001").setScale(18)).setNodeWeight(new BigDecimal("3").setScale(18))
        .setPartitionWeight(new BigDecimal("3").setScale(18)).build();
    processor.process(new Record<>("n1", MarginInput.newBuilder().setSlice(slice).build(), 0L));
    List<BucketShare> shares = context.forwarded().stream().map(r -> r.record().value())
        .filter(v -> v instanceof MarginInput m && m.getShare() != null).map(v -> ((MarginInput) v).getShare()).toList();
    // 10 nanos by 2:1 = 6.67 and 3.33: 6 and 3, the left-over nano to the larger remainder (A); energy 4 = 2.67, 1.33.
    assertEquals(List.of("A", "B"), shares.stream().map(BucketShare::getTenantId).toList());
    assertEquals(new BigDecimal("0.000000007"), shares.get(0).getEnergyCostUsd().add(shares.get(0).getFixedCostUsd()));
    assertEquals(new BigDecimal("0.000000003"), shares.get(1).getEnergyCostUsd().add(shares.get(1).getFixedCostUsd()));
    assertEquals(new BigDecimal("0.000000003"), shares.get(0).getEnergyCostUsd());
    assertEquals(new BigDecimal("0.000000001"), shares.get(1).getEnergyCostUsd());
    assertEquals(2, shares.get(0).getRequests(), "A's two packs are one line");
    assertEquals(0, lines.approximateNumEntries(), "split lines are forgotten");
    // At-least-once delivers the slice again after a failure: its lines are gone, so it is counted, not split again.
    context.resetForwards();
    processor.process(new Record<>("n1", MarginInput.newBuilder().setSlice(slice).build(), 0L));
    assertEquals(List.of(), context.forwarded(), "a slice that finds no lines adds nothing");
  }

  @Test
  void shouldDropLinesThatNoSliceCameForOnceEveryNodeTaskPassedTheirBucket() {
    keep(B, "A", "1");
    keep(B + 600_000, "A", "1");
    processor.process(new Record<>("__progress__", MarginInput.newBuilder()
        .setProgress(new AttributionProgress(0, 1, B + 60_000)).build(), 0L));
    assertNull(lines.get(BucketKeys.numbered(BucketKeys.bucket(B, "n1"), 0)), "the finalized bucket's line");
    assertNotNull(lines.get(BucketKeys.numbered(BucketKeys.bucket(B + 600_000, "n1"), 1)), "an open bucket's");
    List<Object> out = context.forwarded().stream().map(r -> (Object) r.record().value()).toList();
    assertEquals(2, out.size(), "the mark to the margins, then this partition's mark to pricing: " + out);
    assertEquals(B + 60_000, ((PricingInput) out.get(1)).getProgress().getFinalizedThroughMs());
  }
}

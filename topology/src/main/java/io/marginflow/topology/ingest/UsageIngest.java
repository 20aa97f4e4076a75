package io.marginflow.topology.ingest;

import io.marginflow.topology.store.Changelogs;
import io.marginflow.avro.internal.BudgetPeriodState;
import io.marginflow.avro.TokenUsage;
import io.marginflow.avro.internal.AttributionInput;
import io.marginflow.avro.internal.UsageLinePack;
import io.marginflow.topology.store.StoreNames;
import io.marginflow.topology.config.TopologyConfig;
import java.time.Duration;
import java.util.Set;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * Ingest of TokenUsage (source partitions keyed by tenant): validation, de-duplication by event_id within
 * dedup.horizon, list revenue at the price book entry known now (the attribution applies the pricing multiplier),
 * SPEND budgets, and each (bucket, node)'s lines kept here until its cost slice comes back; the node's part goes on
 * re-keyed by node. Owns its stores; {@link UsageIngestProcessor} does the work.
 */
public final class UsageIngest implements ProcessorSupplier<byte[], byte[], String, Routed<AttributionInput>> {
  public static final String SOURCE = "usage";
  private final TopologyConfig config;
  private final Deserializer<TokenUsage> deserializer;
  private final Serde<BudgetPeriodState> budgetStateSerde;
  private final Serde<UsageLinePack> packSerde;

  public UsageIngest(TopologyConfig config, Deserializer<TokenUsage> deserializer,
      Serde<BudgetPeriodState> budgetStateSerde, Serde<UsageLinePack> packSerde) {
    this.config = config;
    this.deserializer = deserializer;
    this.budgetStateSerde = budgetStateSerde;
    this.packSerde = packSerde;
  }

  @Override
  public Processor<byte[], byte[], String, Routed<AttributionInput>> get() {
    return new UsageIngestProcessor(config, deserializer);
  }

  @Override
  public Set<StoreBuilder<?>> stores() {
    // In a fixed order: the topology description (and its golden test) lists stores as they are given.
    Set<StoreBuilder<?>> stores = new java.util.LinkedHashSet<>(java.util.List.of(
        // Chunks of kept ids by bucket of the horizon's length, kept as long as an accepted event can reach them.
        Changelogs.appendTime(Stores.windowStoreBuilder(Stores.persistentWindowStore(StoreNames.USAGE_DEDUP,
            Duration.ofMillis(Deduplicator.retentionMs(config.dedupHorizonMs(), config.bucketMs() + config.graceMs())),
            Duration.ofMillis(Deduplicator.bucketMs(config.dedupHorizonMs())), false), Serdes.Long(),
            // No record cache: a chunk is written once, at a commit, and read only when the task starts.
            Serdes.ByteArray())),
        Changelogs.appendTime(Stores.windowStoreBuilder(Stores.persistentWindowStore(StoreNames.USAGE_DEDUP_LEGACY,
            Duration.ofMillis(3 * Deduplicator.bucketMs(config.dedupHorizonMs())),
            Duration.ofMillis(Deduplicator.bucketMs(config.dedupHorizonMs())), false), Serdes.String(), Serdes.Long())),
        Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(StoreNames.USAGE_PROGRESS), Serdes.String(), Serdes.Long())
            .withCachingEnabled(),
        // Holds nothing: its cache flush is the signal to send the pending lines before a commit (BeforeCommit).
        Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(StoreNames.USAGE_LINES_FLUSH), Serdes.String(), Serdes.Long())
            .withCachingEnabled().withLoggingDisabled(),
        // No record cache: open periods are objects in SpendBudgets, written once per commit from its flush.
        Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(StoreNames.BUDGET_SPEND), Serdes.String(),
            budgetStateSerde)));
    // No record cache: a commit's lines are written once, as packs, from the BeforeCommit flush, and must reach the
    // changelog in the same transaction as their loads whatever order the caches flush in.
    stores.add(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(StoreNames.USAGE_LINES), Serdes.String(),
        packSerde));
    return stores;
  }
}

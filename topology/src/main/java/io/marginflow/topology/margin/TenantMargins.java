package io.marginflow.topology.margin;

import io.marginflow.topology.store.Changelogs;
import org.apache.avro.specific.SpecificRecord;
import io.marginflow.avro.internal.BudgetPeriodState;
import io.marginflow.avro.internal.MarginInput;
import io.marginflow.avro.internal.TenantWindowState;
import io.marginflow.topology.store.StoreNames;
import io.marginflow.topology.config.TopologyConfig;
import io.marginflow.topology.config.WindowSpec;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * Per-tenant margin windows (SPEC 5): running sums per tenant and pane (the windows' common step), queryable, open
 * windows included, and one final TenantMargin per (tenant, window), the sum of its panes, once every attribution
 * partition has finalized all of the window's buckets; a BudgetAlert (NEGATIVE_MARGIN, SPEC 6) after a tenant's 1h
 * window with a gross margin below zero.
 */
public final class TenantMargins implements ProcessorSupplier<String, MarginInput, String, SpecificRecord> {
  /** The child that takes the BudgetAlerts (COST thresholds and forecasts, NEGATIVE_MARGIN) to their topic. */
  public static final String ALERTS = "margin-alerts";
  /** The child that takes the BudgetStatus records to the status table's topic. */
  public static final String STATUS = "margin-status";
  /** The child that takes the final TenantMargins to the margins topic. */
  public static final String MARGINS = "margins";
  private final TopologyConfig config;
  private final Serde<TenantWindowState> stateSerde;
  private final Serde<BudgetPeriodState> budgetStateSerde;

  public TenantMargins(TopologyConfig config, Serde<TenantWindowState> stateSerde, Serde<BudgetPeriodState> budgetStateSerde) {
    this.config = config;
    this.stateSerde = stateSerde;
    this.budgetStateSerde = budgetStateSerde;
  }

  @Override
  public Processor<String, MarginInput, String, SpecificRecord> get() {
    return new TenantMarginsProcessor(config);
  }

  @Override
  public Set<StoreBuilder<?>> stores() {
    Set<StoreBuilder<?>> stores = new java.util.LinkedHashSet<>();
    long longest = config.windows().stream().mapToLong(WindowSpec::sizeMs).max().orElse(0);
    Duration retention = Duration.ofMillis(longest + config.marginRetentionMs());
    for (String name : List.of(StoreNames.TENANT_MARGIN_PANES, StoreNames.UNIT_ECONOMICS_PANES)) {
      stores.add(Changelogs.appendTime(Stores.windowStoreBuilder(Stores.persistentWindowStore(name, retention,
          Duration.ofMillis(config.paneMs()), false), Serdes.String(), stateSerde).withCachingEnabled()));
    }
    stores.add(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(StoreNames.MARGIN_PROGRESS), Serdes.String(),
        Serdes.Long()).withCachingEnabled());
    stores.add(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(StoreNames.BUDGET_COST_PENDING), Serdes.String(),
        Serdes.String()).withCachingEnabled());
    stores.add(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(StoreNames.BUDGET_COST), Serdes.String(),
        budgetStateSerde).withCachingEnabled());
    return stores;
  }
}

package io.marginflow.topology.query;

import io.marginflow.topology.progress.Markers;
import io.marginflow.schemas.AvroJson;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.marginflow.avro.internal.NodeBucketSummary;
import io.marginflow.avro.internal.TenantWindowState;
import io.marginflow.topology.store.StoreNames;
import io.marginflow.topology.config.WindowSpec;
import io.marginflow.topology.margin.WindowStates;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.query.KeyQuery;
import org.apache.kafka.streams.query.QueryResult;
import org.apache.kafka.streams.query.StateQueryRequest;
import org.apache.kafka.streams.query.StateQueryResult;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyWindowStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;
import org.apache.kafka.streams.state.WindowStoreIterator;

/**
 * Reads this instance's state stores by name, through their record caches: single keys (progress markers, budget
 * periods) with IQv2's {@code StateQueryRequest}/{@code KeyQuery}, windows and ranges with IQv1's store API (see
 * {@link #windowStore} for why): the latest processed state, with the progress marker never ahead of the figures.
 * Rebalancing and restoring surface as {@link InvalidStateStoreException}, answered 503, never 500.
 */
public final class LocalQueries {
  private final KafkaStreams streams;
  private final int partitions;
  private final long paneMs;

  /** Queries of {@code streams}, whose partitioned stores have {@code partitions} partitions and panes of {@code paneMs}. */
  public LocalQueries(KafkaStreams streams, int partitions, long paneMs) {
    this.streams = streams;
    this.partitions = partitions;
    this.paneMs = paneMs;
  }

  /** One window of a tenant: its SPEC 5 figures and whether it is final. */
  public record WindowRow(long startMs, TenantWindowState state) {
  }

  /**
   * The tenant's windows of {@code w} starting in [fromStart, toStart] that hold any share, each the sum of its panes;
   * final once the partition's as_of has passed its end (as_of read first: the figures are never older than it).
   */
  public List<WindowRow> tenantWindows(String tenant, WindowSpec w, long fromStart, long toStart, int partition) {
    long asOf = asOf(partition);
    TreeMap<Long, TenantWindowState> panes = new TreeMap<>();
    try (WindowStoreIterator<TenantWindowState> it = this.<TenantWindowState>windowStore(StoreNames.TENANT_MARGIN_PANES,
        partition).fetch(tenant, Instant.ofEpochMilli(Math.max(0, fromStart)), Instant.ofEpochMilli(toStart + w.sizeMs()
        - paneMs))) {
      it.forEachRemaining(kv -> panes.put(kv.key, kv.value));
    }
    List<WindowRow> rows = new ArrayList<>();
    long first = Math.floorDiv(fromStart + w.advanceMs() - 1, w.advanceMs()) * w.advanceMs();
    for (long start = first; start <= toStart && !panes.isEmpty(); start += w.advanceMs()) {
      Map<Long, TenantWindowState> inside = panes.subMap(start, true, start + w.sizeMs() - paneMs, true);
      if (!inside.isEmpty()) {
        TenantWindowState sum = inside.values().stream().reduce(WindowStates::merge).orElseThrow();
        rows.add(new WindowRow(start, finalAsOf(sum, start + w.sizeMs(), asOf)));
      }
      if (start > panes.lastKey()) {
        break;
      }
    }
    return rows;
  }

  /** Every tenant's window of {@code w} starting at {@code start}, over this instance's partitions, final per {@code asOf}. */
  public Map<String, TenantWindowState> tenantsAt(WindowSpec w, long start, long asOf) {
    Map<String, TenantWindowState> sums = range(StoreNames.TENANT_MARGIN_PANES, start, start + w.sizeMs() - paneMs, "");
    sums.replaceAll((tenant, s) -> finalAsOf(s, start + w.sizeMs(), asOf));
    return sums;
  }

  private static TenantWindowState finalAsOf(TenantWindowState sum, long endMs, long asOf) {
    TenantWindowState s = TenantWindowState.newBuilder(sum).build();
    s.setClosed(endMs <= asOf);
    return s;
  }

  /** Unit economics panes in [fromStart, toStart] summed by group key (model|m, region|r), over local partitions. */
  public Map<String, TenantWindowState> groupPanes(String prefix, long fromStart, long toStart) {
    return range(StoreNames.UNIT_ECONOMICS_PANES, fromStart, toStart, prefix);
  }

  private Map<String, TenantWindowState> range(String store, long fromStart, long toStart, String prefix) {
    Map<String, TenantWindowState> sums = new TreeMap<>();
    try (KeyValueIterator<Windowed<String>, TenantWindowState> it = this.<TenantWindowState>windowStore(store, null)
        .fetchAll(Instant.ofEpochMilli(fromStart), Instant.ofEpochMilli(toStart))) {
      while (it.hasNext()) {
        KeyValue<Windowed<String>, TenantWindowState> kv = it.next();
        if (kv.key.key().startsWith(prefix)) {
          sums.merge(kv.key.key().substring(prefix.length()), kv.value, WindowStates::merge);
        }
      }
    }
    return sums;
  }

  /** The stream time (bucket end) through which a margin partition's figures are final. */
  public long asOf(int partition) {
    Long v = key(StoreNames.MARGIN_PROGRESS, Markers.MARGIN_FINAL_THROUGH, partition);
    return v == null ? -1 : v;
  }

  /** A usage partition's stream time: its latest valid event or tick (-1 before any). */
  public long usageAsOf(int partition) {
    Long v = key(StoreNames.USAGE_PROGRESS, Markers.input("usage", partition), partition);
    return v == null ? -1 : v;
  }

  /** A tenant's budget period state (SPEND: {@link StoreNames#BUDGET_SPEND}, COST: {@link StoreNames#BUDGET_COST}). */
  public io.marginflow.avro.internal.BudgetPeriodState budgetPeriod(String store, String key, int partition) {
    return key(store, key, partition);
  }

  /** The latest as-of over this instance's partitions (-1 before anything is final). */
  public long localAsOf() {
    long max = -1;
    for (int p = 0; p < partitions; p++) {
      try {
        max = Math.max(max, asOf(p));
      } catch (InvalidStateStoreException e) {
        // not hosted here (or moving): the other instances answer for it
      }
    }
    return max;
  }

  public List<ObjectNode> nodeEnergy(String node, long from, long to, int partition) {
    List<ObjectNode> rows = new ArrayList<>();
    try (WindowStoreIterator<NodeBucketSummary> it = this.<NodeBucketSummary>windowStore(StoreNames.NODE_ENERGY, partition)
        .fetch(node, Instant.ofEpochMilli(from), Instant.ofEpochMilli(to))) {
      it.forEachRemaining(kv -> rows.add(AvroJson.toJson(kv.value)));
    }
    return rows;
  }

  /** A global reference table (every instance holds all of it). */
  public <V> Map<String, V> global(String store) {
    try {
      ReadOnlyKeyValueStore<String, ValueAndTimestamp<V>> s = streams.store(StoreQueryParameters.fromNameAndType(store,
          QueryableStoreTypes.<String, V>timestampedKeyValueStore()));
      Map<String, V> out = new TreeMap<>();
      try (KeyValueIterator<String, ValueAndTimestamp<V>> it = s.all()) {
        it.forEachRemaining(kv -> out.put(kv.key, kv.value.value()));
      }
      return out;
    } catch (InvalidStateStoreException e) {
      throw ApiError.unavailable("reference data is still loading");
    }
  }

  /**
   * A window store of this instance, one partition or (null) all local ones, with IQv1's store API: it reads through
   * the record cache, like the markers' {@link #key} queries. A commit flushes the stores one after the other, and a
   * query that read the progress marker from the cache and the figures from disk (as IQv2's window queries do) could
   * meet figures older than the marker that dates them. Through the cache, marker first, figures never lag their
   * as_of.
   */
  private <V> ReadOnlyWindowStore<String, V> windowStore(String name, Integer partition) {
    StoreQueryParameters<ReadOnlyWindowStore<String, V>> q = StoreQueryParameters.fromNameAndType(name,
        QueryableStoreTypes.<String, V>windowStore());
    return streams.store(partition == null ? q : q.withPartition(partition));
  }

  /**
   * One key of a key-value store's partition, with IQv2 ({@code KeyQuery}), which reads through the record cache as
   * the processors see it; a partition not active here (moved, restoring) fails as {@link InvalidStateStoreException}.
   */
  private <V> V key(String store, String key, int partition) {
    StateQueryResult<V> result = streams.query(StateQueryRequest.inStore(store).withQuery(KeyQuery.<String, V>withKey(key))
        .withPartitions(Set.of(partition)).requireActive());
    QueryResult<V> r = result.getPartitionResults().get(partition);
    if (r == null || r.isFailure()) {
      throw new InvalidStateStoreException(store + " partition " + partition + " is not queryable here: "
          + (r == null ? "no answer" : r.getFailureReason() + " " + r.getFailureMessage()));
    }
    return r.getResult();
  }
}

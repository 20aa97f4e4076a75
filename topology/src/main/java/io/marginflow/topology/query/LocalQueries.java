package io.marginflow.topology.query;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.marginflow.avro.internal.NodeBucketSummary;
import io.marginflow.avro.internal.TenantWindowState;
import io.marginflow.topology.StoreNames;
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
import org.apache.kafka.streams.query.FailureReason;
import org.apache.kafka.streams.query.KeyQuery;
import org.apache.kafka.streams.query.QueryResult;
import org.apache.kafka.streams.query.StateQueryRequest;
import org.apache.kafka.streams.query.StateQueryResult;
import org.apache.kafka.streams.query.WindowKeyQuery;
import org.apache.kafka.streams.query.WindowRangeQuery;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;
import org.apache.kafka.streams.state.WindowStoreIterator;

/**
 * Reads this instance's state stores by name: IQv2 for the partitioned stores, the read-only store API for the
 * global reference tables (which IQv2 does not serve). Rebalancing and restoring are 503, never 500.
 */
public final class LocalQueries {
  private final KafkaStreams streams;

  public LocalQueries(KafkaStreams streams) {
    this.streams = streams;
  }

  /** One window of a tenant: its SPEC 5 figures and whether it is final. */
  public record WindowRow(long startMs, TenantWindowState state) {
  }

  public List<WindowRow> tenantWindows(String tenant, WindowSpec w, long fromStart, long toStart, int partition) {
    StateQueryRequest<WindowStoreIterator<TenantWindowState>> request = StateQueryRequest.inStore(StoreNames.tenantMargins(w))
        .withQuery(WindowKeyQuery.<String, TenantWindowState>withKeyAndWindowStartRange(tenant, Instant.ofEpochMilli(fromStart),
            Instant.ofEpochMilli(toStart))).withPartitions(Set.of(partition));
    List<WindowRow> rows = new ArrayList<>();
    try (WindowStoreIterator<TenantWindowState> it = only(streams.query(request), partition)) {
      it.forEachRemaining(kv -> rows.add(new WindowRow(kv.key, kv.value)));
    }
    return rows;
  }

  /** Every tenant's window starting at {@code start}, over this instance's active partitions. */
  public Map<String, TenantWindowState> tenantsAt(WindowSpec w, long start) {
    return range(StoreNames.tenantMargins(w), start, start, "");
  }

  /** Unit economics panes in [fromStart, toStart] summed by group key (model|m, region|r), over local partitions. */
  public Map<String, TenantWindowState> groupPanes(String prefix, long fromStart, long toStart) {
    return range(StoreNames.UNIT_ECONOMICS_PANES, fromStart, toStart, prefix);
  }

  private Map<String, TenantWindowState> range(String store, long fromStart, long toStart, String prefix) {
    StateQueryRequest<KeyValueIterator<Windowed<String>, TenantWindowState>> request = StateQueryRequest.inStore(store)
        .withQuery(WindowRangeQuery.<String, TenantWindowState>withWindowStartRange(Instant.ofEpochMilli(fromStart),
            Instant.ofEpochMilli(toStart)));
    Map<String, TenantWindowState> sums = new TreeMap<>();
    StateQueryResult<KeyValueIterator<Windowed<String>, TenantWindowState>> result = streams.query(request);
    for (QueryResult<KeyValueIterator<Windowed<String>, TenantWindowState>> r : result.getPartitionResults().values()) {
      check(r);
      try (KeyValueIterator<Windowed<String>, TenantWindowState> it = r.getResult()) {
        while (it.hasNext()) {
          KeyValue<Windowed<String>, TenantWindowState> kv = it.next();
          if (kv.key.key().startsWith(prefix)) {
            sums.merge(kv.key.key().substring(prefix.length()), kv.value, WindowStates::merge);
          }
        }
      }
    }
    return sums;
  }

  /**
   * The stream time (bucket end) through which a margin partition's figures are final, as committed: read past the
   * record cache like the window queries beside it, so an answer never claims a finality its figures do not show yet.
   */
  public long asOf(int partition) {
    StateQueryRequest<Long> request = StateQueryRequest.inStore(StoreNames.MARGIN_PROGRESS)
        .withQuery(KeyQuery.<String, Long>withKey(StoreNames.MARGIN_FINAL_THROUGH).skipCache()).withPartitions(Set.of(partition));
    QueryResult<Long> r = streams.query(request).getPartitionResults().get(partition);
    if (r == null) {
      throw ApiError.unavailable("partition " + partition + " is not served here right now");
    }
    check(r);
    return r.getResult() == null ? -1 : r.getResult();
  }

  /** The latest as-of over this instance's partitions (-1 before anything is final). */
  public long localAsOf() {
    StateQueryResult<Long> result = streams.query(StateQueryRequest.inStore(StoreNames.MARGIN_PROGRESS)
        .withQuery(KeyQuery.<String, Long>withKey(StoreNames.MARGIN_FINAL_THROUGH).skipCache()));
    long max = -1;
    for (QueryResult<Long> r : result.getPartitionResults().values()) {
      if (r.isSuccess() && r.getResult() != null) {
        max = Math.max(max, r.getResult());
      }
    }
    return max;
  }

  public List<ObjectNode> nodeEnergy(String node, long from, long to, int partition) {
    StateQueryRequest<WindowStoreIterator<NodeBucketSummary>> request = StateQueryRequest.inStore(StoreNames.NODE_ENERGY)
        .withQuery(WindowKeyQuery.<String, NodeBucketSummary>withKeyAndWindowStartRange(node, Instant.ofEpochMilli(from),
            Instant.ofEpochMilli(to))).withPartitions(Set.of(partition));
    List<ObjectNode> rows = new ArrayList<>();
    try (WindowStoreIterator<NodeBucketSummary> it = only(streams.query(request), partition)) {
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

  private static <R> R only(StateQueryResult<R> result, int partition) {
    QueryResult<R> r = result.getPartitionResults().get(partition);
    if (r == null) {
      throw ApiError.unavailable("partition " + partition + " is not served here right now");
    }
    check(r);
    return r.getResult();
  }

  private static void check(QueryResult<?> r) {
    if (r.isSuccess()) {
      return;
    }
    FailureReason reason = r.getFailureReason();
    if (reason == FailureReason.NOT_ACTIVE || reason == FailureReason.NOT_UP_TO_BOUND || reason == FailureReason.DOES_NOT_EXIST
        || reason == FailureReason.NOT_PRESENT) {
      throw ApiError.unavailable("state is rebalancing or restoring (" + reason + ")");
    }
    throw new ApiError(500, "store query failed: " + reason + " " + r.getFailureMessage());
  }
}

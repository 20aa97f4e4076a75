package io.marginflow.topology.query;

import io.marginflow.schemas.AvroJson;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.marginflow.avro.internal.TenantWindowState;
import io.marginflow.avro.Budget;
import io.marginflow.avro.BudgetMetric;
import io.marginflow.topology.store.StoreNames;
import io.marginflow.topology.config.TopologyConfig;
import io.marginflow.topology.config.WindowSpec;
import io.marginflow.topology.margin.WindowStates;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.state.HostInfo;

/**
 * SPEC 8 queries over the local stores, forwarding a key this instance does not own to the instance that does
 * and gathering cross-tenant answers from every instance. Every answer says how fresh it is (as_of_ms).
 */
final class QueryApi {
  static final List<String> SORTS = List.of("gross_margin_usd", "margin_ratio", "revenue_usd", "total_cost_usd", "requests");
  private static final JsonNodeFactory F = JsonNodeFactory.instance;
  private static final long DAY = 86_400_000L;

  private final KafkaStreams streams;
  private final TopologyConfig config;
  private final LocalQueries local;
  private final HostInfo self;
  private final Forwarder forwarder;

  QueryApi(KafkaStreams streams, TopologyConfig config, HostInfo self, javax.net.ssl.SSLContext peerTls) {
    this.forwarder = new Forwarder(peerTls);
    this.streams = streams;
    this.config = config;
    this.local = new LocalQueries(streams, config.inputPartitions(), config.paneMs());
    this.self = self;
  }

  private KeyQueryMetadata owner(String store, String key) {
    return Forwarder.owner(streams, store, key);
  }

  private JsonNode forwardUnlessOwned(KeyQueryMetadata m, Request r) {
    return forwarder.unlessOwned(m, self, r);
  }

  JsonNode margins(Request r, String tenant) {
    r.principal().requireTenant(tenant);
    WindowSpec w = r.params().window(config, "1h");
    KeyQueryMetadata m = owner(StoreNames.TENANT_MARGIN_PANES, tenant);
    JsonNode forwarded = forwardUnlessOwned(m, r);
    if (forwarded != null) {
      return forwarded;
    }
    long asOf = local.asOf(m.partition());
    long[] range = r.params().range(Math.max(asOf, 0), DAY);
    List<LocalQueries.WindowRow> rows = local.tenantWindows(tenant, w, range[0], range[1], m.partition());
    if (rows.isEmpty() && local.tenantWindows(tenant, w, Math.max(0, range[1] - Params.MAX_RANGE_MS), range[1] + DAY,
        m.partition()).isEmpty()) {
      throw ApiError.notFound("unknown tenant " + tenant + ": no usage in the last 31 days");
    }
    ArrayNode windows = F.arrayNode();
    for (LocalQueries.WindowRow row : rows) {
      windows.add(marginJson(tenant, w, row.startMs(), row.state()));
    }
    return F.objectNode().put("tenant_id", tenant).put("window", w.name()).put("as_of_ms", asOf)
        .put("served_by", Forwarder.name(self)).set("windows", windows);
  }

  static ObjectNode marginJson(String tenant, WindowSpec w, long start, TenantWindowState s) {
    ObjectNode n = AvroJson.toJson(WindowStates.toMargin(tenant, w, start, s));
    n.put("final", s.getClosed());
    n.set("cache_savings_usd", AvroJson.value(s.getCacheSavingsUsd()));
    return n;
  }

  JsonNode tenants(Request r) {
    r.principal().requireAdmin();
    Params p = r.params();
    WindowSpec w = p.window(config, config.windows().get(0).name());
    String sort = p.oneOf("sort", "gross_margin_usd", SORTS);
    boolean asc = "asc".equals(p.oneOf("order", "asc", List.of("asc", "desc")));
    int limit = p.intIn("limit", 20, 1, 1000);
    long asOf = asOf(r);
    long start = w.currentStart(asOf);
    List<ObjectNode> rows = new ArrayList<>();
    local.tenantsAt(w, start, asOf).forEach((tenant, s) -> rows.add(marginJson(tenant, w, start, s)));
    if (!p.flag("local")) {
      for (HostInfo host : otherHosts()) {
        JsonNode remote = forwarder.get(host, "/v1/tenants?local=true&window=" + w.name() + "&as_of=" + asOf + "&sort=" + sort
            + "&order=" + (asc ? "asc" : "desc") + "&limit=" + limit, r.authorization());
        remote.path("tenants").forEach(t -> rows.add((ObjectNode) t));
      }
    }
    Comparator<ObjectNode> bySort = Comparator.comparing((ObjectNode n) -> n.path(sort).isNull() ? null
        : n.path(sort).decimalValue(), Comparator.nullsLast(Comparator.naturalOrder()));
    rows.sort((asc ? bySort : bySort.reversed()).thenComparing(n -> n.path("tenant_id").asText()));
    ArrayNode out = F.arrayNode();
    rows.stream().limit(limit).forEach(out::add);
    return F.objectNode().put("window", w.name()).put("window_start_ms", start).put("as_of_ms", asOf)
        .put("sort", sort).put("order", asc ? "asc" : "desc").set("tenants", out);
  }

  /** The instant a cross-tenant answer is for: as_of if given; this instance's on a gathering call; else all's. */
  private long asOf(Request r) {
    Params p = r.params();
    return p.has("as_of") ? p.epochMs("as_of", 0) : p.flag("local") ? local.localAsOf() : globalAsOf(r);
  }

  private long globalAsOf(Request r) {
    long asOf = local.localAsOf();
    for (HostInfo host : otherHosts()) {
      asOf = Math.max(asOf, forwarder.get(host, "/v1/status", r.authorization()).path("as_of_ms").asLong(-1));
    }
    return asOf;
  }

  List<HostInfo> otherHosts() {
    List<HostInfo> hosts = new ArrayList<>();
    for (StreamsMetadata m : streams.metadataForAllStreamsClients()) {
      if (!m.hostInfo().equals(self) && !hosts.contains(m.hostInfo())) {
        hosts.add(m.hostInfo());
      }
    }
    return hosts;
  }

  JsonNode status() {
    return F.objectNode().put("as_of_ms", local.localAsOf()).put("state", streams.state().name())
        .put("instance", Forwarder.name(self));
  }

  JsonNode unitEconomics(Request r) {
    r.principal().requireAdmin();
    Params p = r.params();
    String group = p.oneOf("group", "model", List.of("model", "region", "tenant"));
    WindowSpec w = p.window(config, config.windows().get(config.windows().size() - 1).name());
    long asOf = asOf(r);
    long start = w.currentStart(asOf);
    Map<String, TenantWindowState> sums = new TreeMap<>("tenant".equals(group) ? local.tenantsAt(w, start, asOf)
        : local.groupPanes(group + "|", start, start + w.sizeMs() - config.paneMs()));
    if (!p.flag("local")) {
      for (HostInfo host : otherHosts()) {
        JsonNode remote = forwarder.get(host, "/v1/unit-economics?local=true&group=" + group + "&window=" + w.name()
            + "&as_of=" + asOf, r.authorization());
        remote.path("raw").fields().forEachRemaining(e -> sums.merge(e.getKey(), UnitEconomics.fromJson(e.getValue()),
            WindowStates::merge));
      }
    }
    return UnitEconomics.answer(group, w, start, asOf, sums, p.flag("local"));
  }

  /**
   * A SPEND budget is answered from the usage ingest's period state (current to the last commit, so a gateway's
   * pre-call check sees spend at most about a second old), a COST budget from the margin task's (final buckets).
   */
  JsonNode budget(Request r, String tenant, ReferenceQueries reference) {
    r.principal().requireTenant(tenant);
    Budget b = reference.budgetOf(tenant);
    KeyQueryMetadata m = owner(b.getMetric() == BudgetMetric.SPEND ? StoreNames.BUDGET_SPEND : StoreNames.BUDGET_COST, tenant);
    JsonNode forwarded = forwardUnlessOwned(m, r);
    return forwarded != null ? forwarded : reference.budget(tenant, b, m.partition());
  }

  LocalQueries local() {
    return local;
  }

  JsonNode nodeEnergy(Request r, String node) {
    r.principal().requireAdmin();
    KeyQueryMetadata m = owner(StoreNames.NODE_ENERGY, node);
    JsonNode forwarded = forwardUnlessOwned(m, r);
    if (forwarded != null) {
      return forwarded;
    }
    long asOf = local.localAsOf();
    long[] range = r.params().range(Math.max(asOf, 0), 3_600_000L);
    ArrayNode buckets = F.arrayNode();
    local.nodeEnergy(node, range[0], range[1], m.partition()).forEach(buckets::add);
    return F.objectNode().put("node_id", node).put("as_of_ms", asOf).put("from_ms", range[0]).put("to_ms", range[1])
        .set("buckets", buckets);
  }
}

package io.marginflow.topology.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * The answers read from topics rather than state stores: /v1/alerts, /v1/unit-costs and the multipliers of
 * /v1/pricing, each from a {@link RecordFeed} that the service sets once it has built it, and that this closes.
 */
public final class FeedQueries implements AutoCloseable {
  private volatile RecordFeed alerts;
  private volatile RecordFeed unitCosts;
  private volatile RecordFeed adjustments;

  /** Answers /v1/alerts from {@code feed} (every alert topic, by broker time). */
  public FeedQueries alerts(RecordFeed feed) {
    this.alerts = feed;
    return this;
  }

  /** Answers /v1/unit-costs from {@code feed} (the latest ModelRegionCost per model|region). */
  public FeedQueries unitCosts(RecordFeed feed) {
    this.unitCosts = feed;
    return this;
  }

  /** Answers /v1/pricing's multipliers from {@code feed} (the latest PriceAdjustment per model|region). */
  public FeedQueries adjustments(RecordFeed feed) {
    this.adjustments = feed;
    return this;
  }

  /** The latest adjustment per (model, region); none before the feed is set. */
  List<ObjectNode> latestAdjustments() {
    RecordFeed feed = adjustments;
    return feed == null ? List.of() : feed.since(0, x -> true, 100_000, false);
  }

  /**
   * /v1/unit-costs?model=&region=: the latest pricing interval's unit economics per (model, region) from
   * costs.model-region.v1 (SPEC 9), what a model router reads; admin only (provider-wide cost figures).
   */
  JsonNode unitCosts(Request q) {
    q.principal().requireAdmin();
    RecordFeed feed = unitCosts;
    if (feed == null) {
      throw new ApiError(503, "unit costs are not available on this instance");
    }
    String model = q.params().get("model", null);
    String region = q.params().get("region", null);
    var list = feed.since(0, c -> (model == null || model.equals(c.path("model").asText()))
        && (region == null || region.equals(c.path("region").asText())), 10_000, false);
    var out = Json.MAPPER.createObjectNode().put("count", list.size());
    out.putArray("unit_costs").addAll(list);
    return out;
  }

  /**
   * SPEC 8 /v1/alerts?since=&limit=&order=asc|desc: admin sees every alert, a tenant its own budget alerts only; asc
   * (default) pages forward from since, desc gives the newest first (the dashboard).
   */
  JsonNode alerts(Request q) {
    RecordFeed feed = alerts;
    if (feed == null) {
      throw new ApiError(503, "alerts are not available on this instance");
    }
    long since = q.params().epochMs("since", 0);
    int limit = q.params().intIn("limit", 100, 1, 1000);
    boolean newest = "desc".equals(q.params().oneOf("order", "asc", List.of("asc", "desc")));
    ApiTokens.Principal who = q.principal();
    var list = feed.since(since, a -> who.isAdmin() || (a.has("tenant_id") && a.get("tenant_id").asText().equals(who.name())),
        limit, newest);
    var out = Json.MAPPER.createObjectNode().put("since", since).put("count", list.size());
    out.putArray("alerts").addAll(list);
    return out;
  }

  @Override
  public void close() {
    for (RecordFeed feed : new RecordFeed[] {alerts, unitCosts, adjustments}) {
      if (feed != null) {
        feed.close();
      }
    }
  }
}

package io.marginflow.topology.query;

import io.marginflow.schemas.AvroJson;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.marginflow.avro.Budget;
import io.marginflow.avro.BudgetMetric;
import io.marginflow.avro.NodeProfile;
import io.marginflow.avro.PriceBookEntry;
import io.marginflow.avro.internal.BudgetPeriodState;
import io.marginflow.topology.store.StoreNames;
import io.marginflow.topology.config.TopologyConfig;
import io.marginflow.topology.budget.BudgetPosition;
import io.marginflow.topology.budget.BudgetRules;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

/** Queries over reference data: pricing in force, nodes, and a tenant's budget position. */
final class ReferenceQueries {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;
  private final LocalQueries local;
  private final TopologyConfig config;
  private final boolean dynamicPricing;

  ReferenceQueries(LocalQueries local, TopologyConfig config, boolean dynamicPricing) {
    this.local = local;
    this.config = config;
    this.dynamicPricing = dynamicPricing;
  }

  /**
   * SPEC 8 /v1/pricing: list prices with the multiplier of each (model, region) the controller has set (the latest
   * PriceAdjustment, with when it takes effect and why), and 1.0 for models it has not adjusted (region "*").
   */
  JsonNode pricing(List<ObjectNode> adjustments, boolean admin) {
    Map<String, PriceBookEntry> book = local.global(StoreNames.PRICEBOOK);
    long asOf = local.localAsOf();
    return F.objectNode().put("dynamic_pricing_enabled", dynamicPricing).put("as_of_ms", asOf)
        .set("multipliers", multipliers(book, adjustments, admin, asOf));
  }

  /**
   * List prices with the multiplier in force per (model, region): the latest adjustment of each, or 1.0 and region
   * "*" where never adjusted. Why a price moved (reason) names the provider's realized margin and load: only
   * {@code admin} sees it, with the latest adjustment as published. A tenant sees the multiplier in force at
   * {@code asOfMs} (an adjustment takes effect one interval after it is published) and the one coming, with its time.
   */
  static ArrayNode multipliers(Map<String, PriceBookEntry> book, List<ObjectNode> adjustments, boolean admin,
      long asOfMs) {
    ArrayNode models = F.arrayNode();
    java.util.Set<String> adjusted = new java.util.HashSet<>();
    for (ObjectNode a : adjustments) {
      PriceBookEntry e = book.get(a.path("model").asText());
      ObjectNode n = e == null ? F.objectNode().put("model", a.path("model").asText()) : AvroJson.toJson(e);
      n.put("region", a.path("region").asText());
      boolean pending = a.path("effective_from_ms").asLong() > asOfMs;
      if (admin || !pending) {
        n.set("multiplier", a.path("multiplier"));
        n.set("effective_from_ms", a.path("effective_from_ms"));
      } else {
        n.set("multiplier", a.path("previous_multiplier"));
        n.set("pending_multiplier", a.path("multiplier"));
        n.set("pending_from_ms", a.path("effective_from_ms"));
      }
      if (admin) {
        n.set("previous_multiplier", a.path("previous_multiplier"));
        n.set("reason", a.path("reason"));
      }
      models.add(n);
      adjusted.add(a.path("model").asText());
    }
    book.forEach((model, e) -> {
      if (!adjusted.contains(model)) {
        ObjectNode n = AvroJson.toJson(e);
        n.put("region", "*").put("multiplier", BigDecimal.ONE.setScale(9)).putNull("effective_from_ms");
        models.add(n);
      }
    });
    return models;
  }

  JsonNode nodes() {
    ArrayNode nodes = F.arrayNode();
    Map<String, NodeProfile> profiles = local.global(StoreNames.NODE_PROFILES);
    profiles.values().forEach(p -> nodes.add(AvroJson.toJson(p)));
    return F.objectNode().set("nodes", nodes);
  }

  /** The tenant's budget, or 404. */
  Budget budgetOf(String tenant) {
    Budget b = local.<Budget>global(StoreNames.BUDGETS).get(tenant);
    if (b == null) {
      throw ApiError.notFound("no budget for tenant " + tenant);
    }
    return b;
  }

  /**
   * The tenant's budget position from the period state the pipeline keeps for it on {@code partition}: SPEND as of the
   * usage partition's stream time, COST as of the margin partition's final buckets; thresholds crossed, projection.
   */
  JsonNode budget(String tenant, Budget b, int partition) {
    boolean spend = b.getMetric() == BudgetMetric.SPEND;
    long asOf = Math.max(spend ? local.usageAsOf(partition) : local.asOf(partition), 0);
    BudgetPosition.Period period = BudgetPosition.Period.valueOf(b.getPeriod().name());
    long from = BudgetPosition.bounds(period, asOf)[0];
    BudgetPeriodState state = local.budgetPeriod(spend ? StoreNames.BUDGET_SPEND : StoreNames.BUDGET_COST,
        BudgetRules.periodKey(period, from, tenant), partition);
    BigDecimal amount = state == null ? BigDecimal.ZERO : state.getAmountUsd();
    BudgetPosition p = BudgetPosition.of(period, amount, b.getLimitUsd(), b.getThresholds(), asOf);
    ObjectNode out = F.objectNode().put("tenant_id", tenant).put("period", b.getPeriod().name())
        .put("state", BudgetRules.state(amount, b.getLimitUsd(), b.getThresholds()).name())
        .put("metric", b.getMetric().name()).put("period_start_ms", p.periodStartMs()).put("period_end_ms", p.periodEndMs())
        .put("as_of_ms", asOf).put("amount_usd", p.amountUsd()).put("limit_usd", b.getLimitUsd());
    ArrayNode all = out.putArray("thresholds");
    b.getThresholds().forEach(all::add);
    ArrayNode crossed = out.putArray("thresholds_crossed");
    p.thresholdsCrossed().forEach(crossed::add);
    out.put("projected_usd", p.projectedUsd());
    if (p.breachAtMs() == null) {
      out.putNull("breach_at_ms");
    } else {
      out.put("breach_at_ms", p.breachAtMs().longValue());
    }
    return out;
  }
}

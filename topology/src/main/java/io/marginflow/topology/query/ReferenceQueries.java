package io.marginflow.topology.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.marginflow.avro.Budget;
import io.marginflow.avro.BudgetMetric;
import io.marginflow.avro.NodeProfile;
import io.marginflow.avro.PriceBookEntry;
import io.marginflow.avro.internal.TenantWindowState;
import io.marginflow.topology.store.StoreNames;
import io.marginflow.topology.config.TopologyConfig;
import io.marginflow.topology.config.WindowSpec;
import io.marginflow.topology.domain.BudgetPosition;
import io.marginflow.topology.domain.MarginFigures;
import java.math.BigDecimal;
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

  JsonNode pricing() {
    ArrayNode models = F.arrayNode();
    Map<String, PriceBookEntry> book = local.global(StoreNames.PRICEBOOK);
    book.forEach((model, e) -> {
      ObjectNode n = AvroJson.toJson(e);
      n.put("region", "*").put("multiplier", BigDecimal.ONE.setScale(9)).putNull("effective_from_ms");
      models.add(n);
    });
    return F.objectNode().put("dynamic_pricing_enabled", dynamicPricing).put("as_of_ms", local.localAsOf())
        .put("note", "multipliers are 1.0 until dynamic pricing adjusts them").set("multipliers", models);
  }

  JsonNode nodes() {
    ArrayNode nodes = F.arrayNode();
    Map<String, NodeProfile> profiles = local.global(StoreNames.NODE_PROFILES);
    profiles.values().forEach(p -> nodes.add(AvroJson.toJson(p)));
    return F.objectNode().set("nodes", nodes);
  }

  /** The tenant's budget: period-to-date amount from its finalized hourly windows, thresholds crossed, projection. */
  JsonNode budget(String tenant, int partition) {
    Budget b = local.<Budget>global(StoreNames.BUDGETS).get(tenant);
    if (b == null) {
      throw ApiError.notFound("no budget for tenant " + tenant);
    }
    WindowSpec hourly = config.windows().stream().filter(w -> w.sizeMs() == w.advanceMs() && 86_400_000L % w.sizeMs() == 0)
        .findFirst().orElseThrow(() -> new ApiError(501, "budgets need a tumbling margin window that divides a day"));
    long asOf = Math.max(local.asOf(partition), 0);
    BudgetPosition.Period period = BudgetPosition.Period.valueOf(b.getPeriod().name());
    long from = BudgetPosition.bounds(period, asOf)[0];
    BigDecimal amount = BigDecimal.ZERO;
    // Open windows hold finalized buckets only, so the sum is the amount as of asOf.
    for (LocalQueries.WindowRow row : local.tenantWindows(tenant, hourly, from, Math.max(from, asOf - 1), partition)) {
      TenantWindowState s = row.state();
      MarginFigures f = MarginFigures.of(s.getRevenueUsd(), s.getEnergyCostUsd(), s.getFixedCostUsd());
      amount = amount.add(b.getMetric() == BudgetMetric.SPEND ? f.revenueUsd() : f.totalCostUsd());
    }
    BudgetPosition p = BudgetPosition.of(period, amount, b.getLimitUsd(), b.getThresholds(), asOf);
    ObjectNode out = F.objectNode().put("tenant_id", tenant).put("period", b.getPeriod().name())
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

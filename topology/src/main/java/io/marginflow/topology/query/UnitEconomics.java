package io.marginflow.topology.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.marginflow.avro.internal.TenantWindowState;
import io.marginflow.schemas.AvroJson;
import io.marginflow.topology.config.WindowSpec;
import io.marginflow.topology.domain.MarginFigures;
import io.marginflow.topology.domain.UnitCosts;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Map;

/**
 * /v1/unit-economics (SPEC 8): cost, revenue and energy per million tokens for each group (model, region or tenant) of
 * a window, or the raw sums a gathering instance asks its peers for.
 */
final class UnitEconomics {
  private UnitEconomics() {
  }

  static ObjectNode figures(String group, String key, TenantWindowState s) {
    MarginFigures f = MarginFigures.of(s.getRevenueUsd(), s.getEnergyCostUsd(), s.getFixedCostUsd());
    long total = Math.addExact(s.getInputTokens(), s.getOutputTokens());
    ObjectNode n = JsonNodeFactory.instance.objectNode().put(group, key).put("requests", s.getRequests())
        .put("input_tokens", s.getInputTokens()).put("cached_input_tokens", s.getCachedInputTokens())
        .put("output_tokens", s.getOutputTokens()).put("total_tokens", total)
        .put("energy_kwh", s.getEnergyKwh().doubleValue()).put("revenue_usd", f.revenueUsd())
        .put("total_cost_usd", f.totalCostUsd()).put("gross_margin_usd", f.grossMarginUsd())
        .put("cache_savings_usd", s.getCacheSavingsUsd());
    perMillion(n, "cost_usd", f.totalCostUsd(), s.getOutputTokens(), total);
    perMillion(n, "revenue_usd", f.revenueUsd(), s.getOutputTokens(), total);
    perMillion(n, "kwh", s.getEnergyKwh(), s.getOutputTokens(), total);
    return n;
  }

  private static void perMillion(ObjectNode n, String what, BigDecimal amount, long output, long total) {
    n.put(what + "_per_1m_output_tokens", UnitCosts.perMillion(amount, output));
    n.put(what + "_per_1m_total_tokens", UnitCosts.perMillion(amount, total));
  }

  /** Reads back the raw sums another instance sent. */
  static TenantWindowState fromJson(JsonNode j) {
    return TenantWindowState.newBuilder().setRequests(j.path("requests").asLong())
        .setInputTokens(j.path("input_tokens").asLong()).setCachedInputTokens(j.path("cached_input_tokens").asLong())
        .setOutputTokens(j.path("output_tokens").asLong()).setUnpricedRequests(j.path("unpriced_requests").asLong())
        .setEnergyKwh(j.path("energy_kwh").decimalValue().setScale(18, RoundingMode.HALF_EVEN))
        .setRevenueUsd(j.path("revenue_usd").decimalValue().setScale(18, RoundingMode.HALF_EVEN))
        .setEnergyCostUsd(j.path("energy_cost_usd").decimalValue().setScale(9, RoundingMode.HALF_EVEN))
        .setFixedCostUsd(j.path("fixed_cost_usd").decimalValue().setScale(9, RoundingMode.HALF_EVEN))
        .setCacheSavingsUsd(j.path("cache_savings_usd").decimalValue().setScale(9, RoundingMode.HALF_EVEN))
        .setClosed(j.path("closed").asBoolean()).setUpdatedThroughMs(j.path("updated_through_ms").asLong()).build();
  }

  /** The answer over {@code sums}: per group the figures, or (for a gathering instance) the raw sums. */
  static ObjectNode answer(String group, WindowSpec w, long start, long asOf, Map<String, TenantWindowState> sums,
      boolean local) {
    ObjectNode out = JsonNodeFactory.instance.objectNode().put("group", group).put("window", w.name()).put("window_start_ms", start)
        .put("as_of_ms", asOf);
    if (local) {
      ObjectNode raw = out.putObject("raw");
      sums.forEach((k, s) -> raw.set(k, AvroJson.toJson(s)));
    } else {
      ArrayNode groups = out.putArray("groups");
      sums.forEach((k, s) -> groups.add(UnitEconomics.figures(group, k, s)));
    }
    return out;
  }
}

package io.marginflow.topology.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.marginflow.avro.PriceBookEntry;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** /v1/pricing: a tenant sees the multipliers in force, never why they moved (the provider's margin and load). */
class PricingViewTest {
  private static final Map<String, PriceBookEntry> BOOK = Map.of("m1", PriceBookEntry.newBuilder().setModel("m1")
      .setInputUsdPerMtok(new BigDecimal("1.000000000")).setCachedInputUsdPerMtok(new BigDecimal("0.100000000"))
      .setOutputUsdPerMtok(new BigDecimal("4.000000000")).build());

  private static List<ObjectNode> adjustment() {
    ObjectNode a = Json.MAPPER.createObjectNode().put("model", "m1").put("region", "eu")
        .put("multiplier", new BigDecimal("1.050000000")).put("previous_multiplier", new BigDecimal("1.000000000"))
        .put("effective_from_ms", 1_767_607_500_000L)
        .put("reason", "margin -10.8 % below the 30.0 % target (pressure 0.62)");
    return List.of(a);
  }

  @Test
  void shouldShowTenantsTheMultiplierButNotTheReason() {
    JsonNode tenant = ReferenceQueries.multipliers(BOOK, adjustment(), false, 1_767_607_500_000L).get(0);
    assertEquals(0, new BigDecimal("1.05").compareTo(tenant.path("multiplier").decimalValue()));
    assertEquals(1_767_607_500_000L, tenant.path("effective_from_ms").asLong());
    assertEquals("eu", tenant.path("region").asText());
    assertTrue(tenant.has("input_usd_per_mtok"), tenant.toString());
    for (String hidden : List.of("reason", "previous_multiplier")) {
      assertFalse(tenant.has(hidden), hidden + " is the provider's: " + tenant);
    }
    assertFalse(tenant.toString().contains("margin"), tenant.toString());
  }

  /** Published, not yet in force: a tenant is billed at the previous multiplier until then, and told what comes. */
  @Test
  void shouldShowTenantsThePriceInForceAndTheOneComing() {
    JsonNode tenant = ReferenceQueries.multipliers(BOOK, adjustment(), false, 1_767_607_499_999L).get(0);
    assertEquals(0, BigDecimal.ONE.compareTo(tenant.path("multiplier").decimalValue()), tenant.toString());
    assertEquals(0, new BigDecimal("1.05").compareTo(tenant.path("pending_multiplier").decimalValue()));
    assertEquals(1_767_607_500_000L, tenant.path("pending_from_ms").asLong());
    assertFalse(tenant.has("reason"), tenant.toString());
  }

  @Test
  void shouldShowAdminsWhyAPriceMoved() {
    ArrayNode admin = ReferenceQueries.multipliers(BOOK, adjustment(), true, 0L);
    assertEquals("margin -10.8 % below the 30.0 % target (pressure 0.62)", admin.get(0).path("reason").asText());
    assertEquals(0, BigDecimal.ONE.compareTo(admin.get(0).path("previous_multiplier").decimalValue()));
  }
}

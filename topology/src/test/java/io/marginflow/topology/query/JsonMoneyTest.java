package io.marginflow.topology.query;

import io.marginflow.schemas.AvroJson;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import io.marginflow.avro.TenantMargin;
import java.math.BigDecimal;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** SPEC 7, 8: money leaves as JSON numbers in plain decimal notation, never with an exponent. */
class JsonMoneyTest {
  private static TenantMargin margin(String revenue, String cost, double kwh) {
    BigDecimal r = new BigDecimal(revenue).setScale(9);
    BigDecimal c = new BigDecimal(cost).setScale(9);
    return TenantMargin.newBuilder().setTenantId("acme").setWindow("1h").setWindowSizeMs(3_600_000L)
        .setWindowStartMs(Instant.ofEpochMilli(0)).setWindowEndMs(Instant.ofEpochMilli(3_600_000L)).setRequests(1)
        .setInputTokens(1).setCachedInputTokens(0).setOutputTokens(1).setEnergyKwh(kwh).setRevenueUsd(r)
        .setEnergyCostUsd(c).setFixedCostUsd(BigDecimal.ZERO.setScale(9)).setTotalCostUsd(c).setGrossMarginUsd(r.subtract(c))
        .setMarginRatio(null).setUnpricedRequests(0).build();
  }

  private static String write(TenantMargin m) throws Exception {
    return Json.MAPPER.writeValueAsString(AvroJson.toJson(m));
  }

  @Test
  void shouldWriteZeroWithItsNineDecimals() throws Exception {
    String json = write(margin("0", "0", 0.0));
    assertEquals(true, json.contains("\"revenue_usd\":0.000000000"), json);
    assertEquals(true, json.contains("\"gross_margin_usd\":0.000000000"), json);
    assertFalse(json.contains("E-") || json.contains("E+"), json);
  }

  @Test
  void shouldWriteTinyAndHugeAmountsWithoutExponent() throws Exception {
    String json = write(margin("0.000000001", "123456789012345678901234567.5", 0.00001));
    assertEquals(true, json.contains("\"revenue_usd\":0.000000001"), json);
    assertEquals(true, json.contains("\"total_cost_usd\":123456789012345678901234567.500000000"), json);
    assertEquals(true, json.contains("\"gross_margin_usd\":-123456789012345678901234567.499999999"), json);
    assertEquals(true, json.contains("\"energy_kwh\":0.000010"), json);
    assertFalse(json.contains("E-") || json.contains("E+") || json.contains("e-"), json);
  }

  @Test
  void shouldReadBackTheExactAmount() throws Exception {
    JsonNode back = Json.MAPPER.readTree(write(margin("0.000000001", "1E+20", 1e-12)));
    assertEquals(0, new BigDecimal("0.000000001").compareTo(back.get("revenue_usd").decimalValue()));
    assertEquals(0, new BigDecimal("100000000000000000000").compareTo(back.get("total_cost_usd").decimalValue()));
  }

  @Test
  void shouldForwardAnAnswerUnchanged() throws Exception {
    String written = write(margin("0", "0.1", 0.0));
    assertEquals(written, Json.MAPPER.writeValueAsString(Json.MAPPER.readTree(written)), "read and written again, as forwarded");
  }
}

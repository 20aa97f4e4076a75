package io.marginflow.connectors.iceberg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.marginflow.avro.TenantMargin;
import io.marginflow.serde.ConfluentAvroSerializer;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Date;
import java.util.Map;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.data.Timestamp;
import org.apache.kafka.connect.errors.DataException;
import org.junit.jupiter.api.Test;

class ConfluentAvroConverterTest {
  private static final Map<String, String> REGISTRY = Map.of("schema.registry.url", "mock://converter-test");

  @Test
  void shouldReadAMarginIntoAStructWithExactDecimalsAndTimestamps() {
    ConfluentAvroSerializer<TenantMargin> serializer = new ConfluentAvroSerializer<>();
    serializer.configure(REGISTRY, false);
    Instant start = Instant.parse("2026-01-01T10:00:00Z");
    TenantMargin m = TenantMargin.newBuilder().setTenantId("acme").setWindow("1h").setWindowSizeMs(3_600_000L)
        .setWindowStartMs(start).setWindowEndMs(start.plusSeconds(3600)).setRequests(3).setInputTokens(1000)
        .setCachedInputTokens(0).setOutputTokens(200).setEnergyKwh(0.25).setRevenueUsd(new BigDecimal("0.000000007"))
        .setEnergyCostUsd(new BigDecimal("1.000000001")).setFixedCostUsd(new BigDecimal("2.000000000"))
        .setTotalCostUsd(new BigDecimal("3.000000001")).setGrossMarginUsd(new BigDecimal("-2.999999994"))
        .setMarginRatio(null).setUnpricedRequests(0).build();
    ConfluentAvroConverter converter = new ConfluentAvroConverter();
    converter.configure(REGISTRY, false);

    SchemaAndValue read = converter.toConnectData("margins.tenant.v1", serializer.serialize("margins.tenant.v1", m));
    Struct s = (Struct) read.value();
    assertEquals("acme", s.getString("tenant_id"));
    assertEquals(Decimal.LOGICAL_NAME, read.schema().field("revenue_usd").schema().name());
    assertEquals("9", read.schema().field("revenue_usd").schema().parameters().get(Decimal.SCALE_FIELD));
    assertEquals(new BigDecimal("0.000000007"), s.get("revenue_usd"), "a nano-dollar stays a nano-dollar");
    assertEquals(new BigDecimal("-2.999999994"), s.get("gross_margin_usd"));
    assertEquals(Timestamp.LOGICAL_NAME, read.schema().field("window_start_ms").schema().name());
    assertEquals(Date.from(start), s.get("window_start_ms"));
    assertEquals(Schema.Type.INT64, read.schema().field("requests").schema().type());
    assertEquals(0.25, s.getFloat64("energy_kwh"));
    assertNull(s.get("margin_ratio"));
    assertEquals(true, read.schema().field("margin_ratio").schema().isOptional(), "a [null, X] union is optional");
    assertEquals(false, read.schema().field("tenant_id").schema().isOptional());
    assertEquals(SchemaAndValue.NULL, converter.toConnectData("margins.tenant.v1", null));
    assertThrows(DataException.class, () -> converter.toConnectData("margins.tenant.v1", new byte[] {7, 0, 0, 0, 1, 9}),
        "not the wire format");
    assertThrows(UnsupportedOperationException.class, () -> converter.fromConnectData("t", read.schema(), s));
  }
}

package io.marginflow.ops.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.marginflow.topology.domain.Validation;
import io.marginflow.topology.query.Json;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What one event can claim at the gateway: exact token counts, one identifier rule (SPEC 2). */
class IngestBoundsTest {
  static final long NOW = 1_767_571_300_000L;
  static final String ODD_128 = pad("tenant / été + 100% ? #x 東京 ");

  static String pad(String s) {
    return s + "z".repeat(128 - s.length());
  }

  private static UsageJson.Parsed usage(String tenant, String input) throws Exception {
    String json = "{\"event_id\":\"e1\",\"timestamp_ms\":1767571200000,\"tenant_id\":" + Json.MAPPER.writeValueAsString(tenant)
        + ",\"model\":\"m\",\"node_id\":\"n1\",\"input_tokens\":" + input + ",\"output_tokens\":1}";
    return UsageJson.parse(Json.MAPPER.readTree(json), "eu", NOW, Validation.DEFAULTS);
  }

  @Test
  void shouldRefuseJsonCountsThatDoNotFitWithTheirReasonsNeverWrapped() throws Exception {
    assertEquals("TOO_MANY_TOKENS", usage("acme", "9223372036854775807").reason());
    assertEquals("TOO_MANY_TOKENS", usage("acme", "18446744073709551621").reason());
    assertEquals("TOO_MANY_TOKENS", usage("acme", "1e30").reason());
    assertEquals("TOO_MANY_TOKENS", usage("acme", "100000001").reason());
    assertEquals("INVALID_TOKENS", usage("acme", "2.5").reason());
    assertEquals("INVALID_TOKENS", usage("acme", "\"12\"").reason());
    assertEquals("NEGATIVE_TOKENS", usage("acme", "-18446744073709551621").reason());
    assertEquals(100_000_000L, usage("acme", "100000000").usage().getInputTokens());
    assertEquals(1000L, usage("acme", "1e3").usage().getInputTokens());
  }

  @Test
  void shouldApplyTheOneIdentifierRule() throws Exception {
    assertEquals("INVALID_ID", usage("acme\u0000\r\n\u001b[2J", "1").reason());
    assertEquals("INVALID_ID", usage("t".repeat(129), "1").reason());
    assertEquals("INVALID_ID", usage(" acme", "1").reason());
    assertEquals(ODD_128, usage(ODD_128, "1").usage().getTenantId());
  }

  private static GenAiMapping.Outcome span(String inputValue) throws Exception {
    String json = """
        {"resourceSpans":[{"resource":{"attributes":[{"key":"host.name","value":{"stringValue":"node-07"}},
          {"key":"tenant.id","value":{"stringValue":"acme"}}]},"scopeSpans":[{"spans":[
          {"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174","endTimeUnixNano":"1767571234567891234",
           "attributes":[{"key":"gen_ai.request.model","value":{"stringValue":"m"}},
            {"key":"gen_ai.usage.input_tokens","value":%s},{"key":"gen_ai.usage.output_tokens","value":{"intValue":"1"}}]}]}]}]}
        """.formatted(inputValue);
    List<SpanView> spans = OtlpTraces.fromJson(json.getBytes(StandardCharsets.UTF_8));
    return new GenAiMapping(IngestConfig.Attributes.defaults(), Validation.DEFAULTS, () -> 1_767_571_300_000L)
        .map(spans.get(0));
  }

  @Test
  void shouldRefuseOtlpCountsThatDoNotFitWithTheirReasonsNeverWrapped() throws Exception {
    assertEquals("TOO_MANY_TOKENS", span("{\"intValue\":18446744073709551621}").reason());
    assertEquals("TOO_MANY_TOKENS", span("{\"intValue\":\"18446744073709551621\"}").reason());
    assertEquals("TOO_MANY_TOKENS", span("{\"intValue\":1e30}").reason());
    assertEquals("TOO_MANY_TOKENS", span("{\"doubleValue\":1e30}").reason());
    assertEquals("TOO_MANY_TOKENS", span("{\"intValue\":\"9223372036854775807\"}").reason());
    assertEquals("INVALID_TOKENS", span("{\"intValue\":2.5}").reason());
    assertEquals("INVALID_TOKENS", span("{\"doubleValue\":2.5}").reason());
    assertEquals("INVALID_TOKENS", span("{\"stringValue\":\"lots\"}").reason());
    assertEquals(1200L, span("{\"intValue\":\"1200\"}").usage().getInputTokens());
    assertNull(span("{\"intValue\":\"1200\"}").reason());
  }
}

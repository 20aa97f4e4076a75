package io.marginflow.ops.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.marginflow.avro.TokenUsage;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** OTLP spans, protobuf and OTLP/JSON, through the GenAI mapping; every expected value written out by hand. */
class OtlpMappingTest {
  static final String TRACE = "5b8efff798038103d269b633813fc60c";
  static final long END_NANOS = 1_767_571_234_567_891_234L;
  private final GenAiMapping mapping = new GenAiMapping(IngestConfig.Attributes.defaults());

  static KeyValue attr(String key, String value) {
    return KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setStringValue(value)).build();
  }

  static KeyValue attr(String key, long value) {
    return KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setIntValue(value)).build();
  }

  static Span.Builder span(String spanId) {
    return Span.newBuilder().setTraceId(ByteString.copyFrom(HexFormat.of().parseHex(TRACE)))
        .setSpanId(ByteString.copyFrom(HexFormat.of().parseHex(spanId))).setName("chat").setStartTimeUnixNano(END_NANOS - 1)
        .setEndTimeUnixNano(END_NANOS);
  }

  /** A vLLM-like service on node-07 in eu-west: a chat span, an HTTP span, one without tenant, one with too many cached. */
  static ExportTraceServiceRequest request() {
    Resource resource = Resource.newBuilder().addAttributes(attr("service.name", "vllm")).addAttributes(attr("host.name",
        "node-07")).addAttributes(attr("cloud.region", "eu-west")).addAttributes(attr("tenant.id", "acme")).build();
    ScopeSpans scope = ScopeSpans.newBuilder()
        .addSpans(span("eee19b7ec3c1b174").addAttributes(attr("gen_ai.request.model", "llama-3.1-70b"))
            .addAttributes(attr("gen_ai.response.model", "llama-3.1-70b-instruct"))
            .addAttributes(attr("gen_ai.usage.input_tokens", 1200)).addAttributes(attr("gen_ai.usage.output_tokens", 300))
            .addAttributes(attr("gen_ai.usage.cache_read.input_tokens", 200)).addAttributes(attr("tenant.id", "bravo"))
            .addAttributes(attr("gen_ai.response.id", "chatcmpl-123")))
        .addSpans(span("00f067aa0ba902b7").setName("GET /health"))
        .addSpans(span("0102030405060708").addAttributes(attr("gen_ai.request.model", "mixtral"))
            .addAttributes(attr("gen_ai.usage.input_tokens", 10)).addAttributes(attr("gen_ai.usage.output_tokens", 5))
            .addAttributes(attr("gen_ai.usage.cache_read.input_tokens", 11)))
        .build();
    Resource noTenant = Resource.newBuilder().addAttributes(attr("host.name", "node-08")).build();
    return ExportTraceServiceRequest.newBuilder()
        .addResourceSpans(ResourceSpans.newBuilder().setResource(resource).addScopeSpans(scope))
        .addResourceSpans(ResourceSpans.newBuilder().setResource(noTenant).addScopeSpans(ScopeSpans.newBuilder()
            .addSpans(span("1112131415161718").addAttributes(attr("gen_ai.request.model", "m"))
                .addAttributes(attr("gen_ai.usage.input_tokens", 1)).addAttributes(attr("gen_ai.usage.output_tokens", 1)))))
        .build();
  }

  /** The same request in OTLP/JSON, as the Collector's otlphttp exporter writes it with encoding: json. */
  static final String JSON = """
      {"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"vllm"}},
        {"key":"host.name","value":{"stringValue":"node-07"}},{"key":"cloud.region","value":{"stringValue":"eu-west"}},
        {"key":"tenant.id","value":{"stringValue":"acme"}}]},
       "scopeSpans":[{"scope":{"name":"vllm"},"spans":[
        {"traceId":"5B8EFFF798038103D269B633813FC60C","spanId":"EEE19B7EC3C1B174","name":"chat","kind":3,
         "startTimeUnixNano":"1767571234567891233","endTimeUnixNano":"1767571234567891234","attributes":[
          {"key":"gen_ai.request.model","value":{"stringValue":"llama-3.1-70b"}},
          {"key":"gen_ai.response.model","value":{"stringValue":"llama-3.1-70b-instruct"}},
          {"key":"gen_ai.usage.input_tokens","value":{"intValue":"1200"}},
          {"key":"gen_ai.usage.output_tokens","value":{"intValue":300}},
          {"key":"gen_ai.usage.cache_read.input_tokens","value":{"intValue":"200"}},
          {"key":"tenant.id","value":{"stringValue":"bravo"}},
          {"key":"gen_ai.response.id","value":{"stringValue":"chatcmpl-123"}}]},
        {"traceId":"5b8efff798038103d269b633813fc60c","spanId":"00f067aa0ba902b7","name":"GET /health",
         "endTimeUnixNano":"1767571234567891234"},
        {"traceId":"5b8efff798038103d269b633813fc60c","spanId":"0102030405060708","name":"chat",
         "endTimeUnixNano":"1767571234567891234","attributes":[{"key":"gen_ai.request.model","value":{"stringValue":"mixtral"}},
          {"key":"gen_ai.usage.input_tokens","value":{"intValue":"10"}},{"key":"gen_ai.usage.output_tokens","value":{"intValue":"5"}},
          {"key":"gen_ai.usage.cache_read.input_tokens","value":{"intValue":"11"}}]}]}]},
       {"resource":{"attributes":[{"key":"host.name","value":{"stringValue":"node-08"}}]},"scopeSpans":[{"spans":[
        {"traceId":"5b8efff798038103d269b633813fc60c","spanId":"1112131415161718","endTimeUnixNano":"1767571234567891234",
         "attributes":[{"key":"gen_ai.request.model","value":{"stringValue":"m"}},
          {"key":"gen_ai.usage.input_tokens","value":{"intValue":"1"}},{"key":"gen_ai.usage.output_tokens","value":{"intValue":"1"}}]}]}]}]}
      """;

  @Test
  void shouldMapTheSameRequestAlikeFromProtobufAndJson() throws Exception {
    List<SpanView> proto = OtlpTraces.fromProtobuf(request().toByteArray());
    List<SpanView> json = OtlpTraces.fromJson(JSON.getBytes(StandardCharsets.UTF_8));
    for (List<SpanView> spans : List.of(proto, json)) {
      assertEquals(4, spans.size());
      // The span's tenant.id (bravo) wins over the resource's (acme); the response model over the request's; the
      // event id is trace id + span id in hex; the timestamp is the end time, 1,767,571,234,567,891,234 ns = ...567 ms.
      TokenUsage expected = TokenUsage.newBuilder().setEventId(TRACE + "eee19b7ec3c1b174")
          .setTimestampMs(Instant.ofEpochMilli(1_767_571_234_567L)).setTenantId("bravo").setModel("llama-3.1-70b-instruct")
          .setRegion("eu-west").setNodeId("node-07").setInputTokens(1200).setCachedInputTokens(200).setOutputTokens(300)
          .setApiKeyId(null).setRequestId("chatcmpl-123").build();
      assertEquals(expected, mapping.map(spans.get(0)).usage());
      assertTrue(mapping.map(spans.get(1)).ignored(), "a span without GenAI usage is not usage");
      GenAiMapping.Outcome cached = mapping.map(spans.get(2));
      assertEquals("CACHED_EXCEEDS_INPUT", cached.reason());
      assertTrue(cached.detail().contains("11 > gen_ai.usage.input_tokens 10"), cached.detail());
      assertEquals("MISSING_TENANT", mapping.map(spans.get(3)).reason());
      assertNull(mapping.map(spans.get(3)).usage());
    }
  }

  @Test
  void shouldRefuseBodiesThatAreNotExportRequests() {
    assertThrows(OtlpTraces.BadRequest.class, () -> OtlpTraces.fromJson("[1,2".getBytes(StandardCharsets.UTF_8)));
    assertThrows(OtlpTraces.BadRequest.class, () -> OtlpTraces.fromJson("[]".getBytes(StandardCharsets.UTF_8)));
    assertThrows(OtlpTraces.BadRequest.class, () -> OtlpTraces.fromProtobuf(new byte[] {(byte) 0xff, 0x01, 0x02}));
  }

  @Test
  void shouldReadRenamedAttributesAndTheDefaultRegion() throws Exception {
    IngestConfig config = IngestConfig.from(java.util.Map.of("ingest.otlp.attribute.tenant", "llm.customer",
        "ingest.otlp.attribute.default-region", "us-central"), java.util.Map.of(), java.util.Map.of());
    String json = JSON.replace("\"tenant.id\"", "\"llm.customer\"").replace("\"cloud.region\"", "\"zone\"");
    TokenUsage u = new GenAiMapping(config.attributes()).map(OtlpTraces.fromJson(json.getBytes(StandardCharsets.UTF_8))
        .get(0)).usage();
    assertEquals("bravo", u.getTenantId());
    assertEquals("us-central", u.getRegion());
    assertThrows(org.apache.kafka.common.config.ConfigException.class, () -> IngestConfig.from(
        java.util.Map.of("ingest.otlp.attribute.tenantt", "x"), java.util.Map.of(), java.util.Map.of()));
  }

  @Test
  void shouldLeaveThePipelinesIngestSettingToThePipeline() {
    java.util.Map<String, String> file = java.util.Map.of("ingest.port", "14318", "ingest.max-future-skew", "10m");
    assertEquals(14318, IngestConfig.from(file, java.util.Map.of(), java.util.Map.of()).getInt(IngestConfig.PORT));
    assertEquals(java.util.Map.of("ingest.max-future-skew", "10m"), IngestConfig.others(file));
    assertEquals(600_000L, io.marginflow.topology.config.MarginflowConfig.of(IngestConfig.others(file))
        .duration(io.marginflow.topology.config.MarginflowConfig.MAX_FUTURE_SKEW).toMillis());
  }
}

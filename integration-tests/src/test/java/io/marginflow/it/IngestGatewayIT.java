package io.marginflow.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.marginflow.avro.TokenUsage;
import io.marginflow.ops.ingest.IngestConfig;
import io.marginflow.ops.ingest.IngestGateway;
import io.marginflow.serde.ConfluentAvroDeserializer;
import io.marginflow.topology.config.MarginflowConfig;
import io.marginflow.topology.config.Topics;
import io.marginflow.topology.ingest.DeadLetterHeaders;
import io.marginflow.topology.query.Json;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.GZIPOutputStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ingest gateway on the embedded broker, as an OpenTelemetry Collector's otlphttp exporter and a billing hook talk
 * to it: OTLP protobuf (gzip) and OTLP/JSON, a token, bad bodies, and JSON usage events. What it accepts is on the usage
 * topic as TokenUsage keyed by tenant; what it rejects is in the usage dead-letter queue with the reason.
 */
@WithKafkaStack
class IngestGatewayIT {
  private static final String TRACE = "5b8efff798038103d269b633813fc60c";
  private static final long END_NANOS = 1_767_571_234_567_891_234L;
  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void shouldProduceWhatItAcceptsAndDeadLetterWhatItRejects(KafkaStack kafka, @TempDir Path dir) throws Exception {
    Pipelines.createTopicsForHistory(kafka);
    MarginflowConfig pipeline = MarginflowConfig.of(Pipelines.settings(kafka, "ingest-it", dir));
    IngestConfig ingest = IngestConfig.from(Map.of("ingest.port", "0", "ingest.tokens", "s3cret",
        "ingest.max-body-bytes", "65536"), Map.of(), Map.of());
    try (IngestGateway gateway = IngestGateway.start(pipeline, ingest)) {
      String base = "http://127.0.0.1:" + gateway.port();
      Records.await(Duration.ofSeconds(30), "ready", () -> get(base + "/health/ready").statusCode() == 200);

      HttpResponse<byte[]> proto = post(base + "/v1/traces", "application/x-protobuf", gzip(request().toByteArray()), true,
          "s3cret");
      assertEquals(200, proto.statusCode());
      ExportTraceServiceResponse answer = ExportTraceServiceResponse.parseFrom(proto.body());
      assertEquals(1, answer.getPartialSuccess().getRejectedSpans(), "the span with 11 cached of 10 input tokens");
      assertTrue(answer.getPartialSuccess().getErrorMessage().contains("CACHED_EXCEEDS_INPUT"), answer.toString());

      HttpResponse<byte[]> json = post(base + "/v1/traces", "application/json", json().getBytes(StandardCharsets.UTF_8),
          false, "s3cret");
      assertEquals(200, json.statusCode(), new String(json.body(), StandardCharsets.UTF_8));
      assertEquals("1", Json.MAPPER.readTree(json.body()).at("/partialSuccess/rejectedSpans").asText());

      assertEquals(401, post(base + "/v1/traces", "application/json", "{}".getBytes(StandardCharsets.UTF_8), false, null)
          .statusCode());
      assertEquals(415, post(base + "/v1/traces", "text/plain", new byte[] {1}, false, "s3cret").statusCode());
      HttpResponse<byte[]> tooLarge = post(base + "/v1/usage", "application/json", new byte[100_000], false, "s3cret");
      assertEquals(413, tooLarge.statusCode());
      assertEquals(413, Json.MAPPER.readTree(tooLarge.body()).path("status").asInt(), new String(tooLarge.body(),
          StandardCharsets.UTF_8));
      HttpResponse<byte[]> bad = post(base + "/v1/traces", "application/json", "{\"resourceSpans\":".getBytes(
          StandardCharsets.UTF_8), false, "s3cret");
      assertEquals(400, bad.statusCode());
      assertTrue(Json.MAPPER.readTree(bad.body()).path("message").asText().startsWith("not JSON"), new String(bad.body(),
          StandardCharsets.UTF_8));

      String events = "[{\"event_id\":\"hook-1\",\"timestamp_ms\":1767571200000,\"tenant_id\":\"acme\",\"model\":\"m\","
          + "\"region\":\"us-east\",\"node_id\":\"node-01\",\"input_tokens\":100,\"output_tokens\":20},"
          + "{\"event_id\":\"hook-2\",\"timestamp_ms\":1767571200000,\"tenant_id\":\"acme\",\"model\":\"m\","
          + "\"node_id\":\"node-01\",\"input_tokens\":10,\"cached_input_tokens\":11,\"output_tokens\":1},"
          + "{\"event_id\":\"hook-3\",\"timestamp_ms\":1767571200001,\"tenant_id\":\"bravo\",\"model\":\"m\","
          + "\"node_id\":\"node-02\",\"input_tokens\":7,\"output_tokens\":3}]";
      HttpResponse<byte[]> usage = post(base + "/v1/usage", "application/json", events.getBytes(StandardCharsets.UTF_8),
          false, "s3cret");
      assertEquals(202, usage.statusCode());
      JsonNode u = Json.MAPPER.readTree(usage.body());
      assertEquals(2, u.get("accepted").asInt());
      assertEquals("CACHED_EXCEEDS_INPUT", u.at("/errors/0/reason").asText());
      assertEquals(1, u.at("/errors/0/index").asInt());
      assertTrue(new String(get(base + "/metrics").body(), StandardCharsets.UTF_8)
          .contains("marginflow_ingest_events_total{outcome=\"rejected\",reason=\"CACHED_EXCEEDS_INPUT\",source=\"otlp\"} 2.0"));
    }

    Topics topics = Topics.defaults();
    Map<String, TokenUsage> produced = new TreeMap<>();
    try (ConfluentAvroDeserializer<TokenUsage> d = new ConfluentAvroDeserializer<>(TokenUsage.class)) {
      d.configure(Map.of("schema.registry.url", kafka.registryUrl()), false);
      List<ConsumerRecord<String, byte[]>> records = Records.readToEnd(kafka.consumerConfig("ingest-it"), topics.usage(),
          Duration.ofSeconds(10), new StringDeserializer(), new ByteArrayDeserializer());
      assertEquals(4, records.size(), "the chat span twice (protobuf, then JSON: one event id), hook-1 and hook-3");
      for (ConsumerRecord<String, byte[]> r : records) {
        TokenUsage t = d.deserialize(r.topic(), r.value());
        assertEquals(t.getTenantId(), r.key(), "keyed by tenant (SPEC 1)");
        produced.put(t.getEventId(), t);
      }
    }
    assertEquals(List.of(TRACE + "eee19b7ec3c1b174", "hook-1", "hook-3"), List.copyOf(produced.keySet()), "an OTLP retry keeps its id");
    TokenUsage chat = produced.get(TRACE + "eee19b7ec3c1b174");
    assertEquals(List.of("acme", "llama-3.1-70b-instruct", "eu-west", "node-07", 1200L, 200L, 300L, 1_767_571_234_567L),
        List.of(chat.getTenantId(), chat.getModel(), chat.getRegion(), chat.getNodeId(), chat.getInputTokens(),
            chat.getCachedInputTokens(), chat.getOutputTokens(), chat.getTimestampMs().toEpochMilli()));
    assertEquals("us-east", produced.get("hook-1").getRegion());
    assertEquals("default", produced.get("hook-3").getRegion(), "no region: ingest.otlp.attribute.default-region");

    List<ConsumerRecord<String, byte[]>> dead = Records.readToEnd(kafka.consumerConfig("ingest-dlq"),
        Topics.dlq(topics.usage()), Duration.ofSeconds(10), new StringDeserializer(), new ByteArrayDeserializer());
    assertEquals(3, dead.size(), "the rejected span of each OTLP request, and the rejected JSON event (also answered)");
    for (ConsumerRecord<String, byte[]> r : dead) {
      assertDeadLetter(r);
    }
  }

  private static void assertDeadLetter(ConsumerRecord<String, byte[]> r) throws Exception {
    assertEquals("CACHED_EXCEEDS_INPUT", DeadLetterHeaders.get(r.headers(), DeadLetterHeaders.REASON));
    JsonNode original = Json.MAPPER.readTree(r.value());
    if ("ingest-gateway:json".equals(DeadLetterHeaders.get(r.headers(), DeadLetterHeaders.TOPIC))) {
      assertEquals("hook-2", original.path("event_id").asText());
      assertEquals("acme", r.key());
    } else {
      assertEquals("ingest-gateway:otlp", DeadLetterHeaders.get(r.headers(), DeadLetterHeaders.TOPIC));
      assertEquals("0102030405060708", original.path("spanId").asText().toLowerCase());
    }
  }

  private static KeyValue attr(String key, String value) {
    return KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setStringValue(value)).build();
  }

  private static KeyValue attr(String key, long value) {
    return KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setIntValue(value)).build();
  }

  private static Span.Builder span(String id) {
    return Span.newBuilder().setTraceId(com.google.protobuf.ByteString.copyFrom(HexFormat.of().parseHex(TRACE)))
        .setSpanId(com.google.protobuf.ByteString.copyFrom(HexFormat.of().parseHex(id))).setName("chat")
        .setEndTimeUnixNano(END_NANOS);
  }

  /** vLLM behind a gateway on node-07: a chat span, a health check, and a span claiming 11 cached of 10 input tokens. */
  private static ExportTraceServiceRequest request() {
    Resource resource = Resource.newBuilder().addAttributes(attr("host.name", "node-07"))
        .addAttributes(attr("cloud.region", "eu-west")).addAttributes(attr("tenant.id", "acme")).build();
    return ExportTraceServiceRequest.newBuilder().addResourceSpans(ResourceSpans.newBuilder().setResource(resource)
        .addScopeSpans(ScopeSpans.newBuilder()
            .addSpans(span("eee19b7ec3c1b174").addAttributes(attr("gen_ai.response.model", "llama-3.1-70b-instruct"))
                .addAttributes(attr("gen_ai.usage.input_tokens", 1200)).addAttributes(attr("gen_ai.usage.output_tokens", 300))
                .addAttributes(attr("gen_ai.usage.cache_read.input_tokens", 200)))
            .addSpans(span("00f067aa0ba902b7").setName("GET /health"))
            .addSpans(span("0102030405060708").addAttributes(attr("gen_ai.request.model", "mixtral"))
                .addAttributes(attr("gen_ai.usage.input_tokens", 10)).addAttributes(attr("gen_ai.usage.output_tokens", 5))
                .addAttributes(attr("gen_ai.usage.cache_read.input_tokens", 11))))).build();
  }

  /** The same spans as OTLP/JSON (ids in hex, 64-bit integers as strings). */
  private static String json() {
    String span = "{\"traceId\":\"" + TRACE + "\",\"spanId\":\"%s\",\"endTimeUnixNano\":\"" + END_NANOS + "\",\"attributes\":[%s]}";
    String chat = span.formatted("eee19b7ec3c1b174", "{\"key\":\"gen_ai.response.model\",\"value\":{\"stringValue\":"
        + "\"llama-3.1-70b-instruct\"}},{\"key\":\"gen_ai.usage.input_tokens\",\"value\":{\"intValue\":\"1200\"}},"
        + "{\"key\":\"gen_ai.usage.output_tokens\",\"value\":{\"intValue\":\"300\"}},"
        + "{\"key\":\"gen_ai.usage.cache_read.input_tokens\",\"value\":{\"intValue\":\"200\"}}");
    String bad = span.formatted("0102030405060708", "{\"key\":\"gen_ai.request.model\",\"value\":{\"stringValue\":\"mixtral\"}},"
        + "{\"key\":\"gen_ai.usage.input_tokens\",\"value\":{\"intValue\":\"10\"}},{\"key\":\"gen_ai.usage.output_tokens\","
        + "\"value\":{\"intValue\":\"5\"}},{\"key\":\"gen_ai.usage.cache_read.input_tokens\",\"value\":{\"intValue\":\"11\"}}");
    return "{\"resourceSpans\":[{\"resource\":{\"attributes\":[{\"key\":\"host.name\",\"value\":{\"stringValue\":\"node-07\"}},"
        + "{\"key\":\"cloud.region\",\"value\":{\"stringValue\":\"eu-west\"}},{\"key\":\"tenant.id\",\"value\":{\"stringValue\":"
        + "\"acme\"}}]},\"scopeSpans\":[{\"spans\":[" + chat + "," + bad + "]}]}]}";
  }

  private static byte[] gzip(byte[] data) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream z = new GZIPOutputStream(out)) {
      z.write(data);
    }
    return out.toByteArray();
  }

  private HttpResponse<byte[]> post(String url, String type, byte[] body, boolean gzip, String token) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).header("Content-Type", type)
        .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (gzip) {
      b.header("Content-Encoding", "gzip");
    }
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  private HttpResponse<byte[]> get(String url) {
    try {
      return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}

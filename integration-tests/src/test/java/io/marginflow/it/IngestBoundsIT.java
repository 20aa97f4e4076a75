package io.marginflow.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import io.marginflow.ops.ingest.IngestConfig;
import io.marginflow.ops.ingest.IngestGateway;
import io.marginflow.ops.replay.ScenarioLoad;
import io.marginflow.topology.app.MarginflowService;
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
import java.math.BigDecimal;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What one request can do to everyone's bill, tried through the ingest gateway into a running pipeline, as an attacker
 * and a careless client would: token counts that overflow (2^63 - 1 twice, 2^64 + 5, 1e30, 2.5), ids with control
 * characters, one 2 MB invalid span in a batch. The victims are DESIGN.md's worked example: node n1 costs C = 0.2025
 * USD in the bucket, acme (1000 in, 200 cached, 100 out, weight 1220) and a tenant whose id has 128 characters with
 * spaces, '/', '%' and non-ASCII letters (500 in, 500 out, weight 2500) share it; their costs are worked out by hand
 * and must be exactly those of the bucket without the attack. The odd id is queryable with its own token.
 */
@WithKafkaStack
class IngestBoundsIT {
  private static final long B0 = 1767607200000L; // 2026-01-05T10:00:00Z
  private static final String TRACE = "5b8efff798038103d269b633813fc60c";
  static final String ODD = pad("tenant / été 100% 東京 ?#&=+ ");
  private final HttpClient http = HttpClient.newHttpClient();

  static String pad(String s) {
    return s + "z".repeat(128 - s.length());
  }

  static String encoded(String id) {
    return URLEncoder.encode(id, StandardCharsets.UTF_8).replace("+", "%20");
  }

  @Test
  void shouldKeepEveryOtherTenantsBillWhateverOneRequestClaims(KafkaStack kafka, @TempDir Path dir) throws Exception {
    assertEquals(128, ODD.length());
    Path s = writeScenario(dir.resolve("scenario"));
    Pipelines.createTopicsForHistory(kafka);
    Map<String, String> settings = Pipelines.settings(kafka, "bounds-it", dir.resolve("state"));
    settings.put(MarginflowConfig.HTTP_TOKENS, "bounds-admin=admin,odd-token=" + encoded(ODD));
    settings.put(MarginflowConfig.MARGIN_WINDOWS, "1h");
    MarginflowConfig config = MarginflowConfig.of(settings);
    IngestConfig ingest = IngestConfig.from(Map.of("ingest.port", "0", "ingest.bind", "127.0.0.1"), Map.of(), Map.of());
    try (MarginflowService service = MarginflowService.start(config);
        IngestGateway gateway = IngestGateway.start(config, ingest)) {
      attack("http://127.0.0.1:" + gateway.port());
      ScenarioLoad.run(s, config, Map.of("bootstrap.servers", kafka.bootstrapServers()), true, System.err);
      String range = "/margins?window=1h&from=" + B0 + "&to=" + (B0 + 86_400_000L);
      String path = "/v1/tenants/" + encoded(ODD) + range;
      Records.await(Duration.ofMinutes(2), "the odd tenant's hour final", () -> {
        JsonNode m = get(service, path, "odd-token");
        return m != null && m.path("windows").size() == 1 && m.path("windows").get(0).path("final").asBoolean();
      });
      JsonNode odd = get(service, path, "odd-token").path("windows").get(0);
      JsonNode acme = get(service, "/v1/tenants/acme" + range, "bounds-admin").path("windows").get(0);
      assertEquals(ODD, odd.path("tenant_id").asText());
      // C = 202,500,000 nanos by weight 1220 : 2500 of 3720: acme floor(66,411,290.32), the odd tenant 136,088,709.68 + 1.
      assertEquals(0, new BigDecimal("0.066411290").compareTo(acme.path("total_cost_usd").decimalValue()), acme.toString());
      assertEquals(0, new BigDecimal("0.136088710").compareTo(odd.path("total_cost_usd").decimalValue()), odd.toString());
      assertEquals(500, odd.path("input_tokens").asLong());
      assertEquals(1, odd.path("requests").asLong());
      assertEquals(404, send(HttpRequest.newBuilder(URI.create("http://localhost:" + service.httpPort()
          + "/v1/tenants/evil/margins")).header("Authorization", "Bearer bounds-admin").build()).statusCode(),
          "no request of evil's took part");
    }
    assertDeadLetters(kafka);
  }

  /** The worked example's reference data and power, acme's request, and CSV cells that do not fit (never produced). */
  private static Path writeScenario(Path dir) throws Exception {
    Path s = WorkedExample.writeFleet(dir, B0);
    Files.writeString(s.resolve("budgets.csv"), "tenant_id,period,metric,limit_usd,thresholds\n");
    Files.writeString(s.resolve("usage.csv"), "event_id,timestamp_ms,tenant_id,model,region,node_id,input_tokens,"
        + "cached_input_tokens,output_tokens\na1," + (B0 + 1000) + ",acme,m1,eu,n1,1000,200,100\n"
        + "c1," + (B0 + 1100) + ",evil,m1,eu,n1,18446744073709551621,0,1\n"
        + "c2," + (B0 + 1200) + ",evil,m1,eu,n1,1e30,0,1\nc3," + (B0 + 1300) + ",evil,m1,eu,n1,10,0,2.5\n");
    return s;
  }

  /** The attacker's JSON events and one OTLP batch, each answered with its reasons; only the odd tenant's span gets in. */
  private void attack(String base) throws Exception {
    Records.await(Duration.ofSeconds(30), "gateway ready", () -> send(HttpRequest.newBuilder(URI.create(base
        + "/health/ready")).build()).statusCode() == 200);
    // Two 2^63 - 1 claims whose sum wraps, 2^64 + 5, 1e30, a fraction, a tenant id that forges a console line.
    String evil = "{\"event_id\":\"%s\",\"timestamp_ms\":%d,\"tenant_id\":%s,\"model\":\"m1\",\"region\":\"eu\","
        + "\"node_id\":\"n1\",\"input_tokens\":%s,\"output_tokens\":1}";
    String events = "[" + String.join(",", evil.formatted("x1", B0 + 1500, "\"evil\"", "9223372036854775807"),
        evil.formatted("x2", B0 + 1600, "\"evil\"", "9223372036854775807"),
        evil.formatted("x3", B0 + 1700, "\"evil\"", "18446744073709551621"),
        evil.formatted("x4", B0 + 1800, "\"evil\"", "1e30"), evil.formatted("x5", B0 + 1900, "\"evil\"", "2.5"),
        evil.formatted("x6", B0 + 1950, "\"acme\\u0000\\r\\nFAKE \\u001b[2J\"", "1")) + "]";
    HttpResponse<byte[]> usage = post(base + "/v1/usage", "application/json", events.getBytes(StandardCharsets.UTF_8));
    assertEquals(202, usage.statusCode());
    JsonNode u = Json.MAPPER.readTree(usage.body());
    assertEquals(0, u.path("accepted").asInt(), u.toString());
    assertEquals(List.of("TOO_MANY_TOKENS", "TOO_MANY_TOKENS", "TOO_MANY_TOKENS", "TOO_MANY_TOKENS", "INVALID_TOKENS",
        "INVALID_ID"), u.path("errors").findValuesAsText("reason"));

    // One OTLP batch: the odd tenant's real request, a 2 MB invalid span, a span whose tenant forges a line.
    HttpResponse<byte[]> traces = post(base + "/v1/traces", "application/x-protobuf", batch().toByteArray());
    assertEquals(200, traces.statusCode(), new String(traces.body(), StandardCharsets.UTF_8));
    ExportTraceServiceResponse answer = ExportTraceServiceResponse.parseFrom(traces.body());
    assertEquals(2, answer.getPartialSuccess().getRejectedSpans(), answer.toString());
    assertTrue(answer.getPartialSuccess().getErrorMessage().contains("INVALID_ID"), answer.toString());
  }

  private static void assertDeadLetters(KafkaStack kafka) {
    List<ConsumerRecord<byte[], byte[]>> dead = Records.readToEnd(kafka.consumerConfig("bounds-dlq"),
        Topics.dlq(Topics.defaults().usage()), Duration.ofSeconds(10), new ByteArrayDeserializer(),
        new ByteArrayDeserializer());
    assertEquals(8, dead.size(), "six JSON events and two spans, each in the dead-letter queue with its reason");
    ConsumerRecord<byte[], byte[]> big = dead.stream().filter(r -> DeadLetterHeaders.get(r.headers(),
        DeadLetterHeaders.ORIGINAL_VALUE_BYTES) != null).findFirst().orElseThrow();
    assertEquals("INVALID_ID", DeadLetterHeaders.get(big.headers(), DeadLetterHeaders.REASON));
    assertEquals(DeadLetterHeaders.MAX_VALUE_BYTES, big.value().length);
    assertTrue(Integer.parseInt(DeadLetterHeaders.get(big.headers(), DeadLetterHeaders.ORIGINAL_VALUE_BYTES))
        > 2_000_000);
    assertEquals(DeadLetterHeaders.MAX_KEY_BYTES, big.key().length, "the 2 MB tenant id as key, cut too");
  }

  private static KeyValue attr(String key, String value) {
    return KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setStringValue(value)).build();
  }

  private static KeyValue attr(String key, long value) {
    return KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setIntValue(value)).build();
  }

  private static Span span(String spanId, String tenant, long in, long out) {
    return Span.newBuilder().setTraceId(ByteString.copyFrom(HexFormat.of().parseHex(TRACE)))
        .setSpanId(ByteString.copyFrom(HexFormat.of().parseHex(spanId))).setName("chat")
        .setEndTimeUnixNano((B0 + 2000) * 1_000_000L).addAttributes(attr("gen_ai.request.model", "m1"))
        .addAttributes(attr("gen_ai.usage.input_tokens", in)).addAttributes(attr("gen_ai.usage.output_tokens", out))
        .addAttributes(attr("tenant.id", tenant)).build();
  }

  private static ExportTraceServiceRequest batch() {
    Resource resource = Resource.newBuilder().addAttributes(attr("host.name", "n1")).addAttributes(attr("cloud.region", "eu"))
        .build();
    return ExportTraceServiceRequest.newBuilder().addResourceSpans(ResourceSpans.newBuilder().setResource(resource)
        .addScopeSpans(ScopeSpans.newBuilder().addSpans(span("eee19b7ec3c1b174", ODD, 500, 500))
            .addSpans(span("0102030405060708", "x".repeat(2_000_000), 10, 10))
            .addSpans(span("1112131415161718", "acme\r\nFAKE LINE", 10, 10)))).build();
  }

  private HttpResponse<byte[]> post(String url, String type, byte[] body) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", type)
        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  private HttpResponse<byte[]> send(HttpRequest r) {
    try {
      return http.send(r, HttpResponse.BodyHandlers.ofByteArray());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private JsonNode get(MarginflowService service, String path, String token) {
    HttpResponse<byte[]> r = send(HttpRequest.newBuilder(URI.create("http://localhost:" + service.httpPort() + path))
        .header("Authorization", "Bearer " + token).build());
    try {
      return r.statusCode() == 200 ? Json.MAPPER.readTree(r.body()) : null;
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }
}

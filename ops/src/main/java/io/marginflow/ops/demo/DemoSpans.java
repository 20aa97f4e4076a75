package io.marginflow.ops.demo;

import com.google.protobuf.ByteString;
import io.marginflow.avro.TokenUsage;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The demo's inference servers, as OpenTelemetry sees them: each request becomes a GenAI chat span (the semantic
 * conventions' attributes, the tenant as a span attribute), each node a resource (host.name, cloud.region), and a batch
 * is exported over OTLP/HTTP protobuf to the ingest gateway, as an OpenTelemetry Collector's otlphttp exporter would.
 */
final class DemoSpans {
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final URI traces;
  private final String token;
  private final List<TokenUsage> pending = new ArrayList<>();

  /** To the gateway on {@code gatewayPort}, with {@code token} (sent always; a gateway on loopback needs none). */
  DemoSpans(int gatewayPort, String token) {
    this.traces = URI.create("http://127.0.0.1:" + gatewayPort + "/v1/traces");
    this.token = token;
  }

  void add(TokenUsage usage) {
    pending.add(usage);
  }

  /** Exports the pending requests; they are cleared either way (a failed step is generated again). */
  void export() throws IOException, InterruptedException {
    if (pending.isEmpty()) {
      return;
    }
    byte[] body = request(pending).toByteArray();
    pending.clear();
    HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(traces).timeout(Duration.ofSeconds(60))
        .header("Content-Type", "application/x-protobuf").header("Authorization", "Bearer " + token)
        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
        HttpResponse.BodyHandlers.ofByteArray());
    if (r.statusCode() != 200) {
      throw new IOException("the ingest gateway answered HTTP " + r.statusCode() + ": " + new String(r.body(),
          StandardCharsets.UTF_8));
    }
    long rejected = ExportTraceServiceResponse.parseFrom(r.body()).getPartialSuccess().getRejectedSpans();
    if (rejected > 0) {
      throw new IOException("the ingest gateway rejected " + rejected + " of the demo's spans: "
          + ExportTraceServiceResponse.parseFrom(r.body()).getPartialSuccess().getErrorMessage());
    }
  }

  static ExportTraceServiceRequest request(List<TokenUsage> requests) {
    Map<String, ScopeSpans.Builder> byNode = new LinkedHashMap<>();
    Map<String, String> regions = new LinkedHashMap<>();
    for (TokenUsage u : requests) {
      regions.put(u.getNodeId().toString(), u.getRegion().toString());
      byNode.computeIfAbsent(u.getNodeId().toString(), n -> ScopeSpans.newBuilder()
          .setScope(InstrumentationScope.newBuilder().setName("marginflow-demo-inference"))).addSpans(span(u));
    }
    ExportTraceServiceRequest.Builder r = ExportTraceServiceRequest.newBuilder();
    byNode.forEach((node, spans) -> r.addResourceSpans(ResourceSpans.newBuilder().setResource(Resource.newBuilder()
        .addAttributes(attr("service.name", "inference")).addAttributes(attr("host.name", node))
        .addAttributes(attr("cloud.region", regions.get(node)))).addScopeSpans(spans)));
    return r.build();
  }

  /** Ids derived from the request's own id: exporting the same request again is the same span (and counts once). */
  private static Span span(TokenUsage u) {
    byte[] id = sha256(u.getEventId().toString());
    long end = u.getTimestampMs().toEpochMilli() * 1_000_000L;
    Span.Builder s = Span.newBuilder().setTraceId(ByteString.copyFrom(id, 0, 16)).setSpanId(ByteString.copyFrom(id, 16, 8))
        .setName("chat " + u.getModel()).setKind(Span.SpanKind.SPAN_KIND_SERVER)
        .setStartTimeUnixNano(end - 1_000_000L).setEndTimeUnixNano(end)
        .addAttributes(attr("gen_ai.operation.name", "chat")).addAttributes(attr("gen_ai.request.model", u.getModel().toString()))
        .addAttributes(attr("gen_ai.response.model", u.getModel().toString()))
        .addAttributes(attr("tenant.id", u.getTenantId().toString()))
        .addAttributes(attr("gen_ai.usage.input_tokens", u.getInputTokens()))
        .addAttributes(attr("gen_ai.usage.output_tokens", u.getOutputTokens()));
    if (u.getCachedInputTokens() > 0) {
      s.addAttributes(attr("gen_ai.usage.cache_read.input_tokens", u.getCachedInputTokens()));
    }
    return s.build();
  }

  private static KeyValue attr(String key, String value) {
    return KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setStringValue(value)).build();
  }

  private static KeyValue attr(String key, long value) {
    return KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setIntValue(value)).build();
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}

package io.marginflow.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.marginflow.avro.TokenUsage;
import io.marginflow.ops.ingest.IngestConfig;
import io.marginflow.ops.ingest.IngestGateway;
import io.marginflow.serde.ConfluentAvroDeserializer;
import io.marginflow.topology.config.MarginflowConfig;
import io.marginflow.topology.config.Topics;
import io.marginflow.topology.ingest.DeadLetterHeaders;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import io.marginflow.testing.TestCertificates;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ingest gateway with OpenTelemetry's own client: the Java SDK tracing an inference service with the GenAI
 * semantic conventions, exported by its OTLP/HTTP exporter (protobuf, gzip, bearer token) in batches. What arrives on
 * the usage topic is what the spans said; the contradictory span is in the dead-letter queue.
 */
@WithKafkaStack
class OtelSdkIngestIT {
  private static final AttributeKey<String> MODEL = AttributeKey.stringKey("gen_ai.response.model");
  private static final AttributeKey<Long> INPUT = AttributeKey.longKey("gen_ai.usage.input_tokens");
  private static final AttributeKey<Long> OUTPUT = AttributeKey.longKey("gen_ai.usage.output_tokens");
  private static final AttributeKey<Long> CACHED = AttributeKey.longKey("gen_ai.usage.cache_read.input_tokens");
  private static final AttributeKey<String> TENANT = AttributeKey.stringKey("tenant.id");

  /** The TLS port answers HTTPS only; without the token, 401 in the JSON error shape. */
  private static void assertTlsOnly(int port, TestCertificates certs) throws Exception {
    java.net.http.HttpRequest post = java.net.http.HttpRequest.newBuilder(java.net.URI.create("https://localhost:" + port
        + "/v1/usage")).header("Content-Type", "application/json").POST(java.net.http.HttpRequest.BodyPublishers
        .ofString("[]")).build();
    var answer = java.net.http.HttpClient.newBuilder().sslContext(certs.clientTrust()).build().send(post,
        java.net.http.HttpResponse.BodyHandlers.ofString());
    assertEquals(401, answer.statusCode(), answer.body());
    assertEquals(401, io.marginflow.topology.query.Json.MAPPER.readTree(answer.body()).path("status").asInt());
    boolean plainServed;
    try {
      plainServed = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(
          "http://127.0.0.1:" + port + "/health/live")).build(), java.net.http.HttpResponse.BodyHandlers.ofString())
          .statusCode() == 200;
    } catch (java.io.IOException e) {
      plainServed = false;
    }
    assertEquals(false, plainServed, "plain HTTP to the TLS port");
  }

  /**
   * Once over plain HTTP on loopback, once over HTTPS as a real exporter is configured (the gateway's PEM certificate,
   * issued by a CA the exporter trusts, and a token); each run on its own node, so that the two read their own records.
   */
  @ParameterizedTest(name = "tls={0}")
  @ValueSource(booleans = {false, true})
  void shouldTakeWhatTheOpenTelemetryExporterSends(boolean tls, KafkaStack kafka, @TempDir Path dir) throws Exception {
    Pipelines.createTopicsForHistory(kafka);
    MarginflowConfig pipeline = MarginflowConfig.of(Pipelines.settings(kafka, "otel-it", dir));
    Map<String, String> settings = new java.util.HashMap<>(Map.of("ingest.port", "0", "ingest.tokens", "otel-token"));
    TestCertificates certs = tls ? TestCertificates.issue(dir.resolve("tls")) : null;
    if (tls) {
      settings.put("ingest.tls.certificate", certs.chainPem().toString());
      settings.put("ingest.tls.key", certs.keyPem().toString());
    }
    IngestConfig ingest = IngestConfig.from(settings, Map.of(), Map.of());
    String node = tls ? "node-43" : "node-42";
    Map<String, long[]> sent = new TreeMap<>();
    String badTrace;
    try (IngestGateway gateway = IngestGateway.start(pipeline, ingest)) {
      var builder = OtlpHttpSpanExporter.builder()
          .setEndpoint((tls ? "https://localhost:" : "http://127.0.0.1:") + gateway.port() + "/v1/traces")
          .setCompression("gzip").addHeader("Authorization", "Bearer otel-token").setTimeout(Duration.ofSeconds(30));
      OtlpHttpSpanExporter exporter = (tls ? builder.setTrustedCertificates(certs.caPemBytes()) : builder).build();
      Resource resource = Resource.getDefault().merge(Resource.create(Attributes.builder()
          .put("service.name", "vllm").put("host.name", node).put("cloud.region", "us-east").build()));
      SdkTracerProvider provider = SdkTracerProvider.builder().setResource(resource)
          .addSpanProcessor(BatchSpanProcessor.builder(exporter).setMaxExportBatchSize(64).build()).build();
      Tracer tracer = provider.get("inference");
      Instant end = Instant.now().minusSeconds(60);
      for (int i = 0; i < 150; i++) {
        long in = 100 + i;
        long cached = i % 3 == 0 ? 20 : 0;
        Span span = tracer.spanBuilder("chat llama-3.1-8b-instruct").setSpanKind(SpanKind.SERVER)
            .setStartTimestamp(end.minusMillis(500)).setAttribute(MODEL, "llama-3.1-8b-instruct")
            .setAttribute(TENANT, "tenant-" + (i % 5)).setAttribute(INPUT, in).setAttribute(OUTPUT, 2L * i)
            .setAttribute(CACHED, cached).startSpan();
        sent.put(span.getSpanContext().getTraceId() + span.getSpanContext().getSpanId(), new long[] {in, cached, 2L * i});
        span.end(end);
      }
      Span bad = tracer.spanBuilder("chat").setAttribute(MODEL, "m").setAttribute(TENANT, "tenant-0")
          .setAttribute(INPUT, 5L).setAttribute(OUTPUT, 1L).setAttribute(CACHED, 6L).startSpan();
      bad.end();
      badTrace = bad.getSpanContext().getTraceId();
      tracer.spanBuilder("GET /health").startSpan().end();
      CompletableResultCode flushed = provider.forceFlush().join(30, TimeUnit.SECONDS);
      assertEquals(true, flushed.isSuccess(), "the exporter's batches were accepted");
      provider.shutdown().join(10, TimeUnit.SECONDS);
      if (tls) {
        assertTlsOnly(gateway.port(), certs);
      }
    }

    Map<String, TokenUsage> got = new TreeMap<>();
    try (ConfluentAvroDeserializer<TokenUsage> d = new ConfluentAvroDeserializer<>(TokenUsage.class)) {
      d.configure(Map.of("schema.registry.url", kafka.registryUrl()), false);
      for (ConsumerRecord<String, byte[]> r : Records.readToEnd(kafka.consumerConfig("otel-it"), Topics.defaults().usage(),
          Duration.ofSeconds(10), new StringDeserializer(), new ByteArrayDeserializer())) {
        TokenUsage u = d.deserialize(r.topic(), r.value());
        if (u.getNodeId().toString().equals(node)) {
          got.put(u.getEventId().toString(), u);
        }
      }
    }
    assertEquals(sent.keySet(), got.keySet(), "every usage span once, by trace id + span id");
    sent.forEach((id, tokens) -> {
      TokenUsage u = got.get(id);
      assertEquals(List.of(tokens[0], tokens[1], tokens[2]), List.of(u.getInputTokens(), u.getCachedInputTokens(),
          u.getOutputTokens()), id);
      assertEquals(List.of(node, "us-east", "llama-3.1-8b-instruct"), List.of(u.getNodeId().toString(),
          u.getRegion().toString(), u.getModel().toString()), id);
    });
    List<ConsumerRecord<String, byte[]>> dead = Records.readToEnd(kafka.consumerConfig("otel-dlq"),
        Topics.dlq(Topics.defaults().usage()), Duration.ofSeconds(10), new StringDeserializer(), new ByteArrayDeserializer())
        .stream().filter(r -> new String(r.value(), java.nio.charset.StandardCharsets.UTF_8).toLowerCase()
            .contains(badTrace)).toList();
    assertEquals(1, dead.size());
    assertEquals("CACHED_EXCEEDS_INPUT", DeadLetterHeaders.get(dead.get(0).headers(), DeadLetterHeaders.REASON));
  }
}

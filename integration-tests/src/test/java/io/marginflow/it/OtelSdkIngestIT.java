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
import org.junit.jupiter.api.Test;
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

  @Test
  void shouldTakeWhatTheOpenTelemetryExporterSends(KafkaStack kafka, @TempDir Path dir) throws Exception {
    Pipelines.createTopicsForHistory(kafka);
    MarginflowConfig pipeline = MarginflowConfig.of(Pipelines.settings(kafka, "otel-it", dir));
    IngestConfig ingest = IngestConfig.from(Map.of("ingest.port", "0", "ingest.tokens", "otel-token"), Map.of(), Map.of());
    Map<String, long[]> sent = new TreeMap<>();
    try (IngestGateway gateway = IngestGateway.start(pipeline, ingest)) {
      OtlpHttpSpanExporter exporter = OtlpHttpSpanExporter.builder()
          .setEndpoint("http://127.0.0.1:" + gateway.port() + "/v1/traces").setCompression("gzip")
          .addHeader("Authorization", "Bearer otel-token").setTimeout(Duration.ofSeconds(30)).build();
      Resource resource = Resource.getDefault().merge(Resource.create(Attributes.builder()
          .put("service.name", "vllm").put("host.name", "node-42").put("cloud.region", "us-east").build()));
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
      tracer.spanBuilder("GET /health").startSpan().end();
      CompletableResultCode flushed = provider.forceFlush().join(30, TimeUnit.SECONDS);
      assertEquals(true, flushed.isSuccess(), "the exporter's batches were accepted");
      provider.shutdown().join(10, TimeUnit.SECONDS);
    }

    Map<String, TokenUsage> got = new TreeMap<>();
    try (ConfluentAvroDeserializer<TokenUsage> d = new ConfluentAvroDeserializer<>(TokenUsage.class)) {
      d.configure(Map.of("schema.registry.url", kafka.registryUrl()), false);
      for (ConsumerRecord<String, byte[]> r : Records.readToEnd(kafka.consumerConfig("otel-it"), Topics.defaults().usage(),
          Duration.ofSeconds(10), new StringDeserializer(), new ByteArrayDeserializer())) {
        TokenUsage u = d.deserialize(r.topic(), r.value());
        got.put(u.getEventId().toString(), u);
      }
    }
    assertEquals(sent.keySet(), got.keySet(), "every usage span once, by trace id + span id");
    sent.forEach((id, tokens) -> {
      TokenUsage u = got.get(id);
      assertEquals(List.of(tokens[0], tokens[1], tokens[2]), List.of(u.getInputTokens(), u.getCachedInputTokens(),
          u.getOutputTokens()), id);
      assertEquals(List.of("node-42", "us-east", "llama-3.1-8b-instruct"), List.of(u.getNodeId().toString(),
          u.getRegion().toString(), u.getModel().toString()), id);
    });
    List<ConsumerRecord<String, byte[]>> dead = Records.readToEnd(kafka.consumerConfig("otel-dlq"),
        Topics.dlq(Topics.defaults().usage()), Duration.ofSeconds(10), new StringDeserializer(), new ByteArrayDeserializer());
    assertEquals(1, dead.size());
    assertEquals("CACHED_EXCEEDS_INPUT", DeadLetterHeaders.get(dead.get(0).headers(), DeadLetterHeaders.REASON));
  }
}

package io.marginflow.ops.ingest;

import io.javalin.http.Context;
import io.marginflow.ops.ingest.GenAiMapping.Outcome;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code POST /v1/traces}: OTLP/HTTP spans (protobuf or JSON) mapped from the OpenTelemetry GenAI conventions to
 * TokenUsage; spans that are not inference are ignored, and those that cannot be mapped go to the usage dead-letter
 * queue with their reason.
 */
final class TracesEndpoint {
  private final IngestRequests requests;
  private final GenAiMapping mapping;
  private final IngestConfig.Attributes attributes;
  private final UsageSink sink;

  TracesEndpoint(IngestRequests requests, GenAiMapping mapping, IngestConfig.Attributes attributes, UsageSink sink) {
    this.requests = requests;
    this.mapping = mapping;
    this.attributes = attributes;
    this.sink = sink;
  }

  /** OTLP/HTTP: 200 with ExportTraceServiceResponse (partial_success counts rejected spans), 400/415 on a bad body. */
  void handle(Context ctx) throws Exception {
    if (!requests.authorized(ctx)) {
      return;
    }
    String type = IngestRequests.contentType(ctx);
    boolean protobuf = type.equals(IngestGateway.PROTOBUF);
    if (!protobuf && !type.equals("application/json")) {
      IngestRequests.error(ctx, 415, "Content-Type must be application/x-protobuf or application/json (OTLP/HTTP)");
      return;
    }
    List<SpanView> spans;
    try {
      byte[] body = requests.body(ctx);
      spans = protobuf ? OtlpTraces.fromProtobuf(body) : OtlpTraces.fromJson(body);
    } catch (OtlpTraces.BadRequest | IOException e) {
      OtlpResponses.status(ctx, protobuf, 400, e.getMessage());
      return;
    }
    UsageSink.Batch batch = sink.batch("otlp");
    Map<String, Integer> rejected = new TreeMap<>();
    String firstDetail = null;
    for (SpanView span : spans) {
      Outcome o = mapping.map(span);
      if (o.usage() != null) {
        batch.usage(o.usage());
      } else if (!o.ignored()) {
        rejected.merge(o.reason(), 1, Integer::sum);
        firstDetail = firstDetail == null ? o.reason() + ": " + o.detail() : firstDetail;
        Object tenant = span.attributes().getOrDefault(attributes.tenant(), span.resource().get(attributes.tenant()));
        batch.reject(o.reason(), o.detail(), OtlpTraces.json(span), tenant == null ? null : tenant.toString(),
            span.endTimeUnixNano() / 1_000_000L);
      }
    }
    if (!IngestRequests.acknowledged(ctx, batch, protobuf)) {
      return;
    }
    int count = rejected.values().stream().mapToInt(Integer::intValue).sum();
    OtlpResponses.exported(ctx, protobuf, count, count == 0 ? "" : count + " span(s) rejected " + rejected
        + ", kept in the usage dead-letter queue; first: " + firstDetail);
  }
}

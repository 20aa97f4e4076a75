package io.marginflow.ops.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import io.marginflow.avro.TokenUsage;
import java.time.Instant;
import io.marginflow.topology.domain.Rejection;
import io.marginflow.topology.domain.Validation;
import java.util.List;
import java.util.Optional;

/**
 * {@code POST /v1/usage}: one TokenUsage or an array of them as JSON, fields named as in the Avro schema
 * ({@code cached_input_tokens} defaults to 0, {@code region} to ingest.otlp.attribute.default-region). An event whose
 * fields do not have their types, or that breaks a SPEC 2 rule ({@link Validation}, the pipeline's own check), is
 * answered with its reason and not produced: the caller holds it and can fix it.
 */
public final class UsageJson {
  private UsageJson() {
  }

  /** The event, or why not (reason code and message). */
  public record Parsed(TokenUsage usage, String reason, String message) {
  }

  public static List<JsonNode> events(JsonNode body) {
    if (body.isArray()) {
      java.util.List<JsonNode> out = new java.util.ArrayList<>();
      body.forEach(out::add);
      return out;
    }
    return List.of(body);
  }

  public static Parsed parse(JsonNode e, String defaultRegion, long nowMs, long maxFutureSkewMs) {
    if (!e.isObject()) {
      return new Parsed(null, "NOT_AN_OBJECT", "each event is a JSON object");
    }
    for (String f : List.of("event_id", "tenant_id", "model", "node_id")) {
      if (!e.path(f).isTextual()) {
        return new Parsed(null, Rejection.MISSING_FIELD, f + " must be a string");
      }
    }
    if (!e.path("timestamp_ms").canConvertToExactIntegral()) {
      return new Parsed(null, "INVALID_TIMESTAMP", "timestamp_ms must be epoch milliseconds");
    }
    Long in = count(e, "input_tokens", false);
    Long out = count(e, "output_tokens", false);
    Long cached = count(e, "cached_input_tokens", true);
    if (in == null || out == null || cached == null) {
      return new Parsed(null, "INVALID_TOKENS", "input_tokens and output_tokens (and cached_input_tokens if given) must be "
          + "whole numbers");
    }
    String region = e.path("region").isTextual() && !e.path("region").asText().isBlank() ? e.path("region").asText()
        : defaultRegion;
    TokenUsage usage = TokenUsage.newBuilder().setEventId(e.get("event_id").asText())
        .setTimestampMs(Instant.ofEpochMilli(e.get("timestamp_ms").asLong())).setTenantId(e.get("tenant_id").asText())
        .setModel(e.get("model").asText()).setRegion(region).setNodeId(e.get("node_id").asText()).setInputTokens(in)
        .setCachedInputTokens(cached).setOutputTokens(out).setApiKeyId(optional(e, "api_key_id"))
        .setRequestId(optional(e, "request_id")).build();
    Optional<Rejection> invalid = Validation.check(usage, nowMs, maxFutureSkewMs);
    return invalid.map(r -> new Parsed(null, r.reason(), r.detail())).orElseGet(() -> new Parsed(usage, null, null));
  }

  private static Long count(JsonNode e, String field, boolean optional) {
    JsonNode n = e.path(field);
    if (n.isMissingNode() || n.isNull()) {
      return optional ? 0L : null;
    }
    return n.canConvertToExactIntegral() ? n.asLong() : null;
  }

  private static String optional(JsonNode e, String field) {
    return e.path(field).isTextual() ? e.get(field).asText() : null;
  }
}

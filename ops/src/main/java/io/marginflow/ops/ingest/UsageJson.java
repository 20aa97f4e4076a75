package io.marginflow.ops.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import io.marginflow.avro.TokenUsage;
import java.time.Instant;
import java.util.List;

/**
 * {@code POST /v1/usage}: one TokenUsage or an array of them as JSON, fields named as in the Avro schema
 * ({@code cached_input_tokens} defaults to 0, {@code region} to ingest.otlp.attribute.default-region). An event that
 * cannot become a valid TokenUsage (SPEC 2) is answered with its reason and not produced: the caller holds it and can fix it.
 */
public final class UsageJson {
  private static final long MIN_TIMESTAMP_MS = 946_684_800_000L;

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

  public static Parsed parse(JsonNode e, String defaultRegion) {
    if (!e.isObject()) {
      return new Parsed(null, "NOT_AN_OBJECT", "each event is a JSON object");
    }
    for (String f : List.of("event_id", "tenant_id", "model", "node_id")) {
      if (!e.path(f).isTextual() || e.path(f).asText().isBlank()) {
        return new Parsed(null, "MISSING_FIELD", f + " must be a non-empty string");
      }
    }
    if (!e.path("timestamp_ms").canConvertToExactIntegral() || e.path("timestamp_ms").asLong() <= MIN_TIMESTAMP_MS) {
      return new Parsed(null, "INVALID_TIMESTAMP", "timestamp_ms must be epoch milliseconds after 2000-01-01");
    }
    Long in = count(e, "input_tokens", false);
    Long out = count(e, "output_tokens", false);
    Long cached = count(e, "cached_input_tokens", true);
    if (in == null || out == null || cached == null) {
      return new Parsed(null, "INVALID_TOKENS", "input_tokens and output_tokens (and cached_input_tokens if given) must be "
          + "whole numbers >= 0");
    }
    if (cached > in) {
      return new Parsed(null, "CACHED_EXCEEDS_INPUT", "cached_input_tokens " + cached + " > input_tokens " + in);
    }
    String region = e.path("region").isTextual() && !e.path("region").asText().isBlank() ? e.path("region").asText()
        : defaultRegion;
    return new Parsed(TokenUsage.newBuilder().setEventId(e.get("event_id").asText())
        .setTimestampMs(Instant.ofEpochMilli(e.get("timestamp_ms").asLong())).setTenantId(e.get("tenant_id").asText())
        .setModel(e.get("model").asText()).setRegion(region).setNodeId(e.get("node_id").asText()).setInputTokens(in)
        .setCachedInputTokens(cached).setOutputTokens(out).setApiKeyId(optional(e, "api_key_id"))
        .setRequestId(optional(e, "request_id")).build(), null, null);
  }

  private static Long count(JsonNode e, String field, boolean optional) {
    JsonNode n = e.path(field);
    if (n.isMissingNode() || n.isNull()) {
      return optional ? 0L : null;
    }
    return n.canConvertToExactIntegral() && n.asLong() >= 0 ? n.asLong() : null;
  }

  private static String optional(JsonNode e, String field) {
    return e.path(field).isTextual() ? e.get(field).asText() : null;
  }
}

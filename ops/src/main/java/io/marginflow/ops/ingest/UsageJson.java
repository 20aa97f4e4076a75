package io.marginflow.ops.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import io.marginflow.avro.TokenUsage;
import io.marginflow.topology.domain.Rejection;
import io.marginflow.topology.domain.Validation;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * {@code POST /v1/usage}: one TokenUsage or an array of them as JSON, fields named as in the Avro schema
 * ({@code cached_input_tokens} defaults to 0, {@code region} to ingest.otlp.attribute.default-region). An event whose
 * fields do not have their types, or that breaks a SPEC 2 rule ({@link Validation}, the pipeline's own check), is
 * answered with its reason and not produced to the usage topic; the gateway keeps it in the usage dead-letter queue
 * with that reason, as it does rejected spans.
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

  public static Parsed parse(JsonNode e, String defaultRegion, long nowMs, Validation validation) {
    if (!e.isObject()) {
      return new Parsed(null, "NOT_AN_OBJECT", "each event is a JSON object");
    }
    for (String f : List.of("event_id", "tenant_id", "model", "node_id")) {
      if (!e.path(f).isTextual()) {
        return new Parsed(null, Rejection.MISSING_FIELD, f + " must be a string");
      }
    }
    JsonNode ts = e.path("timestamp_ms");
    if (!ts.isIntegralNumber() || !ts.canConvertToLong()) {
      return new Parsed(null, "INVALID_TIMESTAMP", "timestamp_ms must be epoch milliseconds (a whole number)");
    }
    Validation.Count in = count(e, "input_tokens", false, validation);
    Validation.Count out = count(e, "output_tokens", false, validation);
    Validation.Count cached = count(e, "cached_input_tokens", true, validation);
    for (Validation.Count c : new Validation.Count[] {in, out, cached}) {
      if (!c.valid()) {
        return new Parsed(null, c.rejection().reason(), c.rejection().detail());
      }
    }
    for (String f : List.of("region", "api_key_id", "request_id")) {
      if (!e.path(f).isMissingNode() && !e.path(f).isNull() && !e.path(f).isTextual()) {
        return new Parsed(null, Rejection.INVALID_ID, f + " must be a string");
      }
    }
    String region = e.path("region").isTextual() && !e.path("region").asText().isBlank() ? e.path("region").asText()
        : defaultRegion;
    TokenUsage usage = TokenUsage.newBuilder().setEventId(e.get("event_id").asText())
        .setTimestampMs(Instant.ofEpochMilli(ts.longValue())).setTenantId(e.get("tenant_id").asText())
        .setModel(e.get("model").asText()).setRegion(region).setNodeId(e.get("node_id").asText())
        .setInputTokens(in.value()).setCachedInputTokens(cached.value()).setOutputTokens(out.value())
        .setApiKeyId(optional(e, "api_key_id")).setRequestId(optional(e, "request_id")).build();
    Optional<Rejection> invalid = validation.check(usage, nowMs);
    return invalid.map(r -> new Parsed(null, r.reason(), r.detail())).orElseGet(() -> new Parsed(usage, null, null));
  }

  /**
   * A token count: a JSON number read exactly (a count beyond 64 bits, 1e30 or a fraction is refused with its reason,
   * never wrapped or rounded); absent is 0 where optional, else INVALID_TOKENS.
   */
  private static Validation.Count count(JsonNode e, String field, boolean optional, Validation validation) {
    JsonNode n = e.path(field);
    if (n.isMissingNode() || n.isNull()) {
      return optional ? new Validation.Count(0, null)
          : new Validation.Count(0, new Rejection(Rejection.INVALID_TOKENS, field + " is required"));
    }
    if (!n.isNumber() || (n.isDouble() || n.isFloat()) && !Double.isFinite(n.doubleValue())) {
      return new Validation.Count(0, new Rejection(Rejection.INVALID_TOKENS, field + " must be a whole number"));
    }
    return validation.count(field, n.decimalValue());
  }

  /** An optional id: absent, null or empty is none (as in the CSV and OTLP paths). */
  private static String optional(JsonNode e, String field) {
    return e.path(field).isTextual() && !e.get(field).asText().isEmpty() ? e.get(field).asText() : null;
  }
}

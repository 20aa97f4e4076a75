package io.marginflow.ops.ingest;

import io.marginflow.avro.TokenUsage;
import io.marginflow.schemas.Ids;
import io.marginflow.topology.domain.Validation;
import java.time.Instant;
import java.util.function.LongSupplier;

/**
 * OpenTelemetry GenAI semantic conventions to SPEC 1 TokenUsage. A span is usage when it carries
 * {@code gen_ai.usage.input_tokens} or {@code gen_ai.usage.output_tokens}; others are ignored. The cached input count
 * ({@code gen_ai.usage.cache_read.input_tokens}) is a subset of the input tokens, as in OTel's convention (providers
 * that report them apart must be summed upstream; README). event_id = trace id + span id, so that an exporter's retry
 * of the same span counts once (the pipeline deduplicates on event_id). A mapped span must also pass SPEC 2's rules
 * ({@link Validation}, the pipeline's own check), so that what the gateway accepts the pipeline accepts.
 */
public final class GenAiMapping {
  private final IngestConfig.Attributes names;
  private final Validation validation;
  private final LongSupplier clock;

  /** With the pipeline's default rules (ingest.max-future-skew, ingest.max-tokens-per-request) and the system clock. */
  public GenAiMapping(IngestConfig.Attributes names) {
    this(names, Validation.DEFAULTS, System::currentTimeMillis);
  }

  public GenAiMapping(IngestConfig.Attributes names, Validation validation, LongSupplier clock) {
    this.names = names;
    this.validation = validation;
    this.clock = clock;
  }

  /** A mapped span: its TokenUsage, or why it was rejected (reason code, detail), or neither when it is not usage. */
  public record Outcome(TokenUsage usage, String reason, String detail) {
    static final Outcome IGNORED = new Outcome(null, null, null);

    static Outcome rejected(String reason, String detail) {
      return new Outcome(null, reason, detail);
    }

    public boolean ignored() {
      return usage == null && reason == null;
    }
  }

  public Outcome map(SpanView span) {
    Object input = span.attributes().get(names.inputTokens());
    Object output = span.attributes().get(names.outputTokens());
    if (input == null && output == null) {
      return Outcome.IGNORED;
    }
    String tenant = text(span, names.tenant(), true);
    String model = text(span, names.responseModel(), false);
    model = model != null ? model : text(span, names.requestModel(), false);
    String node = text(span, names.node(), true);
    String region = text(span, names.region(), true);
    if (tenant == null) {
      return Outcome.rejected("MISSING_TENANT", "no " + names.tenant() + " attribute on the span or its resource");
    }
    if (model == null) {
      return Outcome.rejected("MISSING_MODEL", "neither " + names.responseModel() + " nor " + names.requestModel());
    }
    if (node == null) {
      return Outcome.rejected("MISSING_NODE", "no " + names.node() + " attribute on the span's resource or the span");
    }
    Validation.Count in = count(names.inputTokens(), input);
    Validation.Count out = count(names.outputTokens(), output);
    Validation.Count cached = count(names.cachedInputTokens(), span.attributes().get(names.cachedInputTokens()));
    for (Validation.Count c : new Validation.Count[] {in, out, cached}) {
      if (!c.valid()) {
        return Outcome.rejected(c.rejection().reason(), c.rejection().detail());
      }
    }
    long[] tokens = {in.value(), out.value(), cached.value()};
    if (tokens[2] > tokens[0]) {
      return Outcome.rejected("CACHED_EXCEEDS_INPUT", names.cachedInputTokens() + " " + tokens[2] + " > "
          + names.inputTokens() + " " + tokens[0] + " (OTel counts cached tokens within the input tokens)");
    }
    if (!hexId(span.traceId(), 32) || !hexId(span.spanId(), 16)) {
      return Outcome.rejected("MISSING_ID", "a valid trace id and span id are needed for event_id: "
          + Ids.printable(span.traceId()) + "/" + Ids.printable(span.spanId()));
    }
    TokenUsage usage = TokenUsage.newBuilder().setEventId(span.traceId() + span.spanId())
        .setTimestampMs(Instant.ofEpochMilli(span.endTimeUnixNano() / 1_000_000L)).setTenantId(tenant).setModel(model)
        .setRegion(region == null ? names.defaultRegion() : region).setNodeId(node).setInputTokens(tokens[0])
        .setCachedInputTokens(tokens[2]).setOutputTokens(tokens[1]).setApiKeyId(text(span, names.apiKey(), true))
        .setRequestId(text(span, names.requestId(), false)).build();
    return validation.check(usage, clock.getAsLong()).map(r -> Outcome.rejected(r.reason(), r.detail()))
        .orElseGet(() -> new Outcome(usage, null, null));
  }

  /** The span's attribute {@code key}, else (when {@code resourceToo}) its resource's; blank is absent. */
  private static String text(SpanView span, String key, boolean resourceToo) {
    if (key == null || key.isEmpty()) {
      return null;
    }
    Object v = span.attributes().get(key);
    if ((v == null || v.toString().isBlank()) && resourceToo) {
      v = span.resource().get(key);
    }
    return v == null || v.toString().isBlank() ? null : v.toString();
  }

  /**
   * A token-count attribute (absent: 0): an OTLP int (64 bits), a double or a string, read by SPEC 2's rules, so that
   * a fraction, a negative or an oversized count is refused with its reason, never wrapped or rounded.
   */
  private Validation.Count count(String name, Object v) {
    if (v == null) {
      return new Validation.Count(0, null);
    }
    if (v instanceof Long l) {
      return validation.count(name, java.math.BigDecimal.valueOf(l));
    }
    if (v instanceof Double d && Double.isFinite(d)) {
      return validation.count(name, java.math.BigDecimal.valueOf(d));
    }
    return validation.count(name, v.toString());
  }

  private static boolean hexId(String id, int length) {
    return id != null && id.length() == length && id.chars().allMatch(c -> c >= '0' && c <= '9' || c >= 'a' && c <= 'f')
        && id.chars().anyMatch(c -> c != '0');
  }
}

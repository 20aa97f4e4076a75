package io.marginflow.ops.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import io.marginflow.schemas.Ids;
import io.marginflow.topology.domain.Validation;
import io.marginflow.topology.query.Json;
import java.io.IOException;
import java.util.List;

/**
 * {@code POST /v1/usage}: TokenUsage events as plain JSON ({@link UsageJson}); an event that cannot be accepted is
 * answered by its index and kept in the usage dead-letter queue with its reason.
 */
final class UsageEndpoint {
  private final IngestRequests requests;
  private final UsageSink sink;
  private final String defaultRegion;
  private final Validation validation;

  UsageEndpoint(IngestRequests requests, UsageSink sink, String defaultRegion, Validation validation) {
    this.requests = requests;
    this.sink = sink;
    this.defaultRegion = defaultRegion;
    this.validation = validation;
  }

  /** Plain JSON: 202 with the accepted count and an error per rejected event (by index). */
  void handle(Context ctx) throws Exception {
    if (!requests.authorized(ctx)) {
      return;
    }
    JsonNode body;
    try {
      body = Json.MAPPER.readTree(requests.body(ctx));
    } catch (IOException e) {
      IngestRequests.error(ctx, 400, "the body must be a JSON object or array of TokenUsage events; it is not JSON"
          + OtlpTraces.where(e));
      return;
    }
    if (body == null || !body.isObject() && !body.isArray()) {
      IngestRequests.error(ctx, 400, "the body must be a JSON object or array of TokenUsage events");
      return;
    }
    UsageSink.Batch batch = sink.batch("json");
    ObjectNode answer = Json.MAPPER.createObjectNode();
    ArrayNode errors = Json.MAPPER.createArrayNode();
    int accepted = 0;
    List<JsonNode> events = UsageJson.events(body);
    for (int i = 0; i < events.size(); i++) {
      JsonNode event = events.get(i);
      UsageJson.Parsed p = UsageJson.parse(event, defaultRegion, System.currentTimeMillis(), validation);
      if (p.usage() != null) {
        batch.usage(p.usage());
        accepted++;
      } else {
        reject(batch, errors, i, event, p);
      }
    }
    if (!IngestRequests.acknowledged(ctx, batch, false)) {
      return;
    }
    answer.put("accepted", accepted).put("rejected", errors.size()).set("errors", errors);
    ctx.status(202).contentType("application/json").result(Json.MAPPER.writeValueAsString(answer));
  }

  /** The answer's error for event {@code i}, and its dead letter. */
  private static void reject(UsageSink.Batch batch, ArrayNode errors, int i, JsonNode event, UsageJson.Parsed p) {
    ObjectNode err = errors.addObject().put("index", i).put("reason", p.reason()).put("message", p.message());
    if (event.path("event_id").isTextual() && Ids.valid(event.get("event_id").asText())) {
      err.put("event_id", event.get("event_id").asText());
    }
    JsonNode ts = event.path("timestamp_ms");
    batch.reject(p.reason(), p.message(), event.toString(),
        event.path("tenant_id").isTextual() ? event.get("tenant_id").asText() : null,
        ts.isIntegralNumber() && ts.canConvertToLong() ? ts.longValue() : -1L);
  }
}

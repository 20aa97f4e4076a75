package io.marginflow.connectors.alerts;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;

/**
 * The request body for an alert (as JSON: {@code AvroJson} of a BudgetAlert or CapacityAlert), by format: the alert
 * as is; a Slack incoming-webhook message ({@code text} and {@code blocks}); a PagerDuty Events API v2 trigger
 * ({@code dedup_key} = alert_id). Every body carries the alert_id.
 */
public final class AlertBodies {
  static final ObjectMapper JSON = new ObjectMapper().enable(JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN);

  private AlertBodies() {
  }

  static String body(AlertWebhookConfig.Format format, ObjectNode alert, String pagerDutyRoutingKey) {
    try {
      return JSON.writeValueAsString(switch (format) {
        case JSON -> alert;
        case SLACK -> slack(alert);
        case PAGERDUTY -> pagerDuty(alert, pagerDutyRoutingKey);
      });
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** One line for people: kind, who, what. */
  public static String summary(ObjectNode a) {
    String kind = a.path("kind").asText();
    if (a.hasNonNull("message")) {
      return kind + ": " + a.get("message").asText();
    }
    if ("ZOMBIE_NODE".equals(kind)) {
      return String.format("ZOMBIE_NODE: node %s spent %.1f %% of %s USD on idle GPUs in the hour from %s",
          a.path("node_id").asText(), a.path("idle_share").asDouble() * 100, a.path("node_cost_usd").decimalValue()
              .toPlainString(), Instant.ofEpochMilli(a.path("window_start_ms").asLong()));
    }
    return kind + " for " + a.path("tenant_id").asText(a.path("node_id").asText());
  }

  /** warning for a threshold below the limit and forecasts; critical at the limit; error for money lost and zombies. */
  static String severity(ObjectNode a) {
    return switch (a.path("kind").asText()) {
      case "THRESHOLD" -> a.path("threshold").asDouble() >= 1.0 ? "critical" : "warning";
      case "FORECAST" -> "warning";
      default -> "error";
    };
  }

  private static ObjectNode slack(ObjectNode a) {
    ObjectNode m = JSON.createObjectNode();
    String summary = summary(a);
    m.put("text", summary);
    ArrayNode blocks = m.putArray("blocks");
    ObjectNode section = blocks.addObject().put("type", "section");
    section.putObject("text").put("type", "mrkdwn").put("text", "*" + a.path("kind").asText() + "* " + summary);
    ArrayNode fields = section.putArray("fields");
    a.fields().forEachRemaining(e -> {
      if (!e.getValue().isNull() && !"message".equals(e.getKey()) && fields.size() < 10) {
        fields.addObject().put("type", "mrkdwn").put("text", "*" + e.getKey() + "*\n" + e.getValue().asText());
      }
    });
    blocks.addObject().put("type", "context").putArray("elements").addObject().put("type", "mrkdwn")
        .put("text", "alert_id " + a.path("alert_id").asText());
    m.put("alert_id", a.path("alert_id").asText());
    return m;
  }

  private static ObjectNode pagerDuty(ObjectNode a, String routingKey) {
    ObjectNode e = JSON.createObjectNode();
    e.put("routing_key", routingKey).put("event_action", "trigger").put("dedup_key", a.path("alert_id").asText());
    ObjectNode payload = e.putObject("payload");
    payload.put("summary", truncate(summary(a), 1024)).put("severity", severity(a)).put("source", "marginflow")
        .put("component", a.has("node_id") ? a.path("node_id").asText() : a.path("tenant_id").asText())
        .put("class", a.path("kind").asText())
        .put("timestamp", Instant.ofEpochMilli(a.path("observed_at_ms").asLong()).toString());
    payload.set("custom_details", a);
    return e;
  }

  private static String truncate(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max - 1) + "…";
  }
}

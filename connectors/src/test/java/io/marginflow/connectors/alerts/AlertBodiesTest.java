package io.marginflow.connectors.alerts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

/** The three body formats and the Retry-After forms, on hand-written input. */
class AlertBodiesTest {
  private static ObjectNode alert() {
    ObjectNode a = AlertBodies.JSON.createObjectNode();
    a.put("alert_id", "3f1c").put("kind", "THRESHOLD").put("tenant_id", "acme").put("threshold", 1.0)
        .put("amount_usd", new java.math.BigDecimal("120.500000000")).put("observed_at_ms", 1_767_607_200_000L)
        .put("message", "acme reached 100 % of its DAILY SPEND budget");
    return a;
  }

  private static JsonNode parse(String s) throws Exception {
    return AlertBodies.JSON.readTree(s);
  }

  @Test
  void shouldWriteASlackMessageWithTextBlocksAndTheId() throws Exception {
    JsonNode m = parse(AlertBodies.body(AlertWebhookConfig.Format.SLACK, alert(), ""));
    assertEquals("THRESHOLD: acme reached 100 % of its DAILY SPEND budget", m.path("text").asText());
    assertEquals("section", m.path("blocks").get(0).path("type").asText());
    assertEquals("context", m.path("blocks").get(1).path("type").asText());
    assertTrue(m.path("blocks").get(1).toString().contains("alert_id 3f1c"));
    assertEquals("3f1c", m.path("alert_id").asText());
  }

  @Test
  void shouldWriteAPagerDutyTriggerDedupedByTheAlertId() throws Exception {
    JsonNode e = parse(AlertBodies.body(AlertWebhookConfig.Format.PAGERDUTY, alert(), "R0UTING"));
    assertEquals("R0UTING", e.path("routing_key").asText());
    assertEquals("trigger", e.path("event_action").asText());
    assertEquals("3f1c", e.path("dedup_key").asText());
    assertEquals("critical", e.path("payload").path("severity").asText(), "the limit itself is reached");
    assertEquals("marginflow", e.path("payload").path("source").asText());
    assertEquals("2026-01-05T10:00:00Z", e.path("payload").path("timestamp").asText());
    assertEquals("acme", e.path("payload").path("custom_details").path("tenant_id").asText());
  }

  @Test
  void shouldSendTheAlertAsIsInJson() throws Exception {
    String body = AlertBodies.body(AlertWebhookConfig.Format.JSON, alert(), "");
    assertTrue(body.contains("\"amount_usd\":120.500000000"), body);
    assertEquals("acme", parse(body).path("tenant_id").asText());
  }

  @Test
  void shouldReadRetryAfterInSecondsAndAsAnHttpDate() {
    assertEquals(120_000, WebhookDelivery.retryAfterMs("120", 0));
    assertEquals(30_000, WebhookDelivery.retryAfterMs("Mon, 05 Jan 2026 10:00:30 GMT", 1_767_607_200_000L));
    assertEquals(-1, WebhookDelivery.retryAfterMs("soon", 0));
    assertEquals(-1, WebhookDelivery.retryAfterMs(null, 0));
  }
}

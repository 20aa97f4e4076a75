package io.marginflow.ops.demo;

import io.marginflow.schemas.Ids;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.marginflow.topology.query.Json;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

/** The demo's live table: per-tenant margins of the current hour, read from the query API like any client. */
final class DemoConsole {
  private static final ObjectMapper JSON = Json.MAPPER;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final int port;
  private final String token;
  private final PrintStream out;

  DemoConsole(int port, String token, PrintStream out) {
    this.token = token;
    this.port = port;
    this.out = out;
  }

  void print(long eventCursor) {
    try {
      JsonNode top = get("/v1/tenants?window=1h&sort=gross_margin_usd&order=asc&limit=25");
      StringBuilder b = new StringBuilder();
      b.append(String.format(Locale.ROOT, "%n== marginflow  event time %s  figures final through %s  (%d tenants) ==%n",
          Instant.ofEpochMilli(eventCursor), top.path("as_of_ms").asLong() > 0
              ? Instant.ofEpochMilli(top.path("as_of_ms").asLong()) : "-", top.path("tenants").size()));
      b.append(String.format(Locale.ROOT, "%-12s %-6s %8s %12s %12s %12s %8s %s%n", "tenant", "hour", "requests", "revenue",
          "cost", "margin", "ratio", "final"));
      for (JsonNode t : top.path("tenants")) {
        b.append(String.format(Locale.ROOT, "%-12s %-6s %8d %12s %12s %12s %8s %s%n", Ids.printable(t.path("tenant_id").asText()),
            Instant.ofEpochMilli(t.path("window_start_ms").asLong()).toString().substring(11, 16),
            t.path("requests").asLong(), usd(t.path("revenue_usd")), usd(t.path("total_cost_usd")),
            usd(t.path("gross_margin_usd")), ratio(t.path("margin_ratio")), t.path("final").asBoolean() ? "yes" : "open"));
      }
      JsonNode pricing = get("/v1/pricing");
      StringBuilder prices = new StringBuilder();
      for (JsonNode m : pricing.path("multipliers")) {
        if (!"*".equals(m.path("region").asText())) {
          prices.append(String.format(Locale.ROOT, "  %s@%s x%s", Ids.printable(m.path("model").asText()),
              Ids.printable(m.path("region").asText()),
              m.path("multiplier").decimalValue().setScale(2, RoundingMode.HALF_EVEN).toPlainString()));
        }
      }
      b.append(String.format(Locale.ROOT, "alerts: %d   price multipliers:%s%n", get("/v1/alerts").path("alerts").size(),
          prices.length() == 0 ? " all 1.00 (no adjustment yet)" : prices));
      out.print(b);
    } catch (RuntimeException e) {
      out.println("marginflow: waiting for the first finalized buckets (" + e.getMessage() + ")");
    }
  }

  private static String usd(JsonNode v) {
    return v.isNull() || v.isMissingNode() ? "-" : "$" + v.decimalValue().setScale(4, RoundingMode.HALF_EVEN).toPlainString();
  }

  private static String ratio(JsonNode v) {
    return v.isNull() || v.isMissingNode() ? "-"
        : v.decimalValue().multiply(BigDecimal.valueOf(100)).setScale(1, RoundingMode.HALF_EVEN) + "%";
  }

  private JsonNode get(String path) {
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
          .header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(10)).build(),
          HttpResponse.BodyHandlers.ofString());
      JsonNode body = JSON.readTree(r.body());
      if (r.statusCode() != 200) {
        throw new IllegalStateException(body.path("error").asText("HTTP " + r.statusCode()));
      }
      return body;
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}

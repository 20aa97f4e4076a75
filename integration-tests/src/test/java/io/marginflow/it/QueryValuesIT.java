package io.marginflow.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.marginflow.ops.replay.ScenarioLoad;
import io.marginflow.topology.app.MarginflowService;
import io.marginflow.topology.config.MarginflowConfig;
import io.marginflow.topology.query.Json;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The query answers beside the margins, checked by value on the DESIGN.md worked example: node n1 (2 GPUs at 500 W
 * for a minute, PUE 1.25, 0.12 USD/kWh, 12 USD/h fixed) costs C = 0.2025 USD per 60 s bucket; tenant A (1000 in, 200
 * cached, 100 out) and B (500 in, 500 out) share the first bucket by weight 1220 : 2500, the second is idle.
 * Every expected figure below is worked out from those inputs in the test.
 */
@WithKafkaStack
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class QueryValuesIT {
  private static final String ADMIN = "values-admin";
  private static final String ACME = "values-acme";
  private static final long B0 = 1767607200000L; // 2026-01-05T10:00:00Z
  private static final long DAY_START = 1767571200000L;
  private static final long MONTH_START = 1767225600000L; // 2026-01-01T00:00:00Z
  private static final BigDecimal C = new BigDecimal("0.2025");
  private static final BigDecimal W_A = new BigDecimal("1220"); // 800 + 200 x 0.1 + 100 x 4
  private static final BigDecimal W_B = new BigDecimal("2500"); // 500 + 500 x 4
  private static final BigDecimal REVENUE_A = new BigDecimal("0.00122"); // (800 x 1.00 + 200 x 0.10 + 100 x 4.00) / 1e6
  private static final BigDecimal REVENUE_B = new BigDecimal("0.0025"); // (500 x 1.00 + 500 x 4.00) / 1e6
  private final HttpClient http = HttpClient.newHttpClient();
  private MarginflowService service;

  @BeforeAll
  void computeTheWorkedExample(KafkaStack kafka, @TempDir Path dir) throws Exception {
    Path s = WorkedExample.writeFleet(dir.resolve("scenario"), B0);
    Files.writeString(s.resolve("budgets.csv"), "tenant_id,period,metric,limit_usd,thresholds\n"
        + "acme,DAILY,SPEND,0.002,0.5;0.8;1.0\nbravo,MONTHLY,COST,0.2,0.5;0.8;1.0\n");
    Files.writeString(s.resolve("usage.csv"), "event_id,timestamp_ms,tenant_id,model,region,node_id,input_tokens,"
        + "cached_input_tokens,output_tokens\na1," + (B0 + 1000) + ",acme,m1,eu,n1,1000,200,100\nb1," + (B0 + 2000)
        + ",bravo,m1,eu,n1,500,0,500\n");

    Pipelines.createTopicsForHistory(kafka);
    Map<String, String> settings = Pipelines.settings(kafka, "values-it", dir.resolve("state"));
    settings.put(MarginflowConfig.HTTP_TOKENS, ADMIN + "=admin," + ACME + "=acme");
    // Billing hours only: the closing ticks stop an hour past the data, so today's daily budget is still running.
    settings.put(MarginflowConfig.MARGIN_WINDOWS, "1h");
    service = MarginflowService.start(MarginflowConfig.of(settings));
    ScenarioLoad.run(s, MarginflowConfig.of(settings), Map.of("bootstrap.servers", kafka.bootstrapServers()),
        true, System.err);
    Records.await(Duration.ofMinutes(2), "the hour of the example final", () -> {
      JsonNode status = getOrNull("/v1/status");
      JsonNode acme = getOrNull("/v1/tenants/acme/budget");
      JsonNode bravo = getOrNull("/v1/tenants/bravo/budget");
      // /v1/status dates the furthest partition; each budget is as of its own tenant's partition.
      return status != null && status.path("as_of_ms").asLong(-1) >= B0 + 3_600_000L && acme != null && bravo != null
          && acme.path("as_of_ms").asLong(-1) >= B0 + 3_600_000L && bravo.path("as_of_ms").asLong(-1) >= B0 + 3_600_000L;
    });
  }

  @AfterAll
  void stop() {
    if (service != null) {
      service.close();
    }
  }

  private JsonNode getOrNull(String path) {
    return getOrNull(path, ADMIN);
  }

  private JsonNode getOrNull(String path, String token) {
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + service.httpPort() + path))
          .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200 ? Json.MAPPER.readTree(r.body()) : null;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private JsonNode get(String path) {
    JsonNode answer = getOrNull(path);
    assertTrue(answer != null, path + " answered 200");
    return answer;
  }

  private static void assertMoney(String expected, JsonNode actual, String what) {
    assertMoney(new BigDecimal(expected), actual, what);
  }

  private static void assertMoney(BigDecimal expected, JsonNode actual, String what) {
    assertTrue(actual.isNumber(), what + " is a number: " + actual);
    assertEquals(0, expected.compareTo(actual.decimalValue()), what + ": expected " + expected + ", got " + actual);
  }

  private static BigDecimal nanos(BigDecimal exact) {
    return exact.setScale(9, RoundingMode.HALF_EVEN);
  }

  /** The projection and breach instant of SPEC 6, worked out here for {@code amount} over [start, end) at asOf. */
  private static void assertProjection(JsonNode b, BigDecimal amount, BigDecimal limit, long start, long end) {
    long asOf = b.path("as_of_ms").asLong();
    long elapsed = asOf - start;
    assertTrue(elapsed * 10 >= end - start, "more than 10 % of the period has elapsed");
    BigDecimal projected = amount.multiply(BigDecimal.valueOf(end - start)).divide(BigDecimal.valueOf(elapsed), MathContext.DECIMAL128);
    assertMoney(nanos(projected), b.path("projected_usd"), "projected_usd");
    assertTrue(projected.compareTo(limit) > 0, "the example is set to breach");
    long breach = start + BigDecimal.valueOf(elapsed).multiply(limit).divide(amount, 0, RoundingMode.CEILING).longValueExact();
    assertEquals(breach, b.path("breach_at_ms").asLong(), "breach_at_ms");
  }

  /**
   * acme (DAILY SPEND 0.002) earns 0.00122: THRESHOLD 0.5 at its request, and 10 h into the day 0.00122 x 24 / 10 h =
   * 0.0029 > 0.002: FORECAST. bravo (MONTHLY COST 0.2) costs C x 2500 / 3720 = 0.136 when the first bucket is final:
   * THRESHOLD 0.5, and 4.4 days into January the projection 0.136 x 31 / 4.42 = 0.95 > 0.2: FORECAST. Both lose money
   * over the hour: NEGATIVE_MARGIN each. The idle second bucket is half of n1's cost: no ZOMBIE_NODE.
   */
  @Test
  void shouldListTheAlertsToAdminAndToEachTenantItsOwn() {
    Records.await(Duration.ofSeconds(30), "six alerts", () -> {
      JsonNode all = getOrNull("/v1/alerts?since=0");
      return all != null && all.path("count").asInt() >= 6;
    });
    List<String> all = new ArrayList<>();
    get("/v1/alerts?since=0").path("alerts").forEach(a -> all.add(a.path("kind").asText() + " " + a.path("tenant_id").asText()
        + (a.path("threshold").isNull() ? "" : " " + a.path("threshold").asDouble())));
    assertEquals(List.of("FORECAST acme", "FORECAST bravo", "NEGATIVE_MARGIN acme", "NEGATIVE_MARGIN bravo",
        "THRESHOLD acme 0.5", "THRESHOLD bravo 0.5"), all.stream().sorted().toList());
    JsonNode mine = getOrNull("/v1/alerts?since=0", ACME);
    assertEquals(3, mine.path("count").asInt(), mine.toString());
    mine.path("alerts").forEach(a -> assertEquals("acme", a.path("tenant_id").asText()));
    mine.path("alerts").forEach(a -> {
      if (a.path("kind").asText().equals("THRESHOLD")) {
        assertMoney(REVENUE_A, a.path("amount_usd"), "acme's revenue when it crossed");
      }
    });
    long last = get("/v1/alerts?since=0").path("alerts").get(5).path("published_at_ms").asLong();
    assertEquals(0, get("/v1/alerts?since=" + (last + 1)).path("count").asInt(), "since pages past the last one");
    assertEquals(get("/v1/alerts?since=0").path("alerts").get(5), get("/v1/alerts?order=desc&limit=1").path("alerts").get(0),
        "desc: the newest first");
  }

  @Test
  void shouldAnswerTheDailySpendBudgetByValue() {
    JsonNode a = get("/v1/tenants/acme/budget");
    assertEquals(DAY_START, a.path("period_start_ms").asLong());
    assertEquals(DAY_START + 86_400_000L, a.path("period_end_ms").asLong());
    assertMoney("0.001220000", a.path("amount_usd"), "A's revenue today");
    assertTrue(a.path("amount_usd").toString().equals("0.001220000"), "plain notation, nine decimals: " + a.path("amount_usd"));
    assertEquals(List.of(0.5), doubles(a.path("thresholds_crossed")), "0.00122 >= 0.5 x 0.002, < 0.8 x 0.002");
    assertEquals("OK", a.path("state").asText(), "WARNING from 0.8 x 0.002 = 0.0016 on");
    assertProjection(a, REVENUE_A, new BigDecimal("0.002"), DAY_START, DAY_START + 86_400_000L);
  }

  @Test
  void shouldAnswerTheMonthlyCostBudgetByValue() {
    JsonNode b = get("/v1/tenants/bravo/budget");
    BigDecimal costB = new BigDecimal("0.136088710"); // 202,500,000 nanos x 2500 / 3720, the left-over nano to B
    assertEquals(0, nanos(C.multiply(W_B).divide(W_A.add(W_B), MathContext.DECIMAL128)).compareTo(costB));
    assertEquals(MONTH_START, b.path("period_start_ms").asLong());
    assertMoney(costB, b.path("amount_usd"), "B's attributed cost this month");
    assertEquals(List.of(0.5), doubles(b.path("thresholds_crossed")));
    assertProjection(b, costB, new BigDecimal("0.2"), MONTH_START, 1769904000000L);
  }

  @Test
  void shouldAnswerUnitEconomicsPerModelByValue() {
    JsonNode u = get("/v1/unit-economics?group=model&window=1h&as_of=" + (B0 + 3_600_000L));
    assertEquals(B0, u.path("window_start_ms").asLong());
    JsonNode m1 = byKey(u.path("groups"), "model", "m1");
    assertEquals(2, m1.path("requests").asLong());
    assertEquals(600, m1.path("output_tokens").asLong());
    assertEquals(2100, m1.path("total_tokens").asLong());
    assertMoney(REVENUE_A.add(REVENUE_B), m1.path("revenue_usd"), "m1 revenue");
    assertMoney(C, m1.path("total_cost_usd"), "the first bucket's whole cost went to m1's two requests");
    assertMoney("337.5", m1.path("cost_usd_per_1m_output_tokens"), "0.2025 x 1e6 / 600");
    assertMoney("96.428571429", m1.path("cost_usd_per_1m_total_tokens"), "0.2025 x 1e6 / 2100");
    assertMoney("6.2", m1.path("revenue_usd_per_1m_output_tokens"), "0.00372 x 1e6 / 600");
    assertMoney("1.771428571", m1.path("revenue_usd_per_1m_total_tokens"), "0.00372 x 1e6 / 2100");
    // A's 200 cached tokens weigh 0.1 instead of 1.0: uncached they would have cost C / W x 200 x 0.9 more.
    BigDecimal savings = nanos(C.multiply(new BigDecimal("180")).divide(W_A.add(W_B), MathContext.DECIMAL128));
    assertMoney(savings, m1.path("cache_savings_usd"), "cache savings");
    double kwh = 2 * 4 * 15 * 500 * 1.25 / 3.6e6;
    assertEquals(kwh / 600 * 1e6, m1.path("kwh_per_1m_output_tokens").asDouble(), 1e-6);
    JsonNode idle = byKey(u.path("groups"), "model", "__idle__");
    assertMoney(C, idle.path("total_cost_usd"), "the idle second bucket");
    assertTrue(idle.path("cost_usd_per_1m_output_tokens").isNull(), "no tokens, no unit cost");
  }

  @Test
  void shouldAnswerPricingFromThePriceBook() {
    JsonNode p = get("/v1/pricing");
    JsonNode m1 = byKey(p.path("multipliers"), "model", "m1");
    assertMoney("1.00", m1.path("input_usd_per_mtok"), "input price");
    assertMoney("0.10", m1.path("cached_input_usd_per_mtok"), "cached price");
    assertMoney("4.00", m1.path("output_usd_per_mtok"), "output price");
    assertMoney("1", m1.path("multiplier"), "no adjustment yet");
    assertEquals(1, p.path("multipliers").size());
  }

  @Test
  void shouldAnswerANodesEnergyPerBucketByValue() {
    JsonNode e = get("/v1/nodes/n1/energy?from=" + B0 + "&to=" + (B0 + 60_000));
    JsonNode buckets = e.path("buckets");
    assertEquals(2, buckets.size(), buckets.toString());
    JsonNode first = buckets.get(0);
    assertEquals(B0, first.path("bucket_start_ms").asLong());
    // 2 GPUs x 4 samples x 15 s x 500 W = 60,000 J; x 1.25 PUE = 75,000 J = 0.0208333 kWh; x 0.12 USD = 0.0025 USD.
    assertEquals(75_000 / 3.6e6, first.path("energy_kwh").asDouble(), 1e-15);
    assertMoney("0.0025", first.path("energy_cost_usd"), "energy cost");
    assertMoney(C, first.path("total_cost_usd"), "energy + 12 USD/h x 1 min");
    assertMoney("0", first.path("idle_cost_usd"), "two requests absorbed it");
    assertEquals(8, first.path("power_samples").asLong());
    assertEquals(500.0, first.path("avg_power_watts").asDouble());
    assertEquals(2, first.path("requests").asLong());
    JsonNode second = buckets.get(1);
    assertEquals(B0 + 60_000, second.path("bucket_start_ms").asLong());
    assertMoney(C, second.path("idle_cost_usd"), "no request: all of it idle");
  }

  private static JsonNode byKey(JsonNode array, String field, String value) {
    for (JsonNode n : array) {
      if (value.equals(n.path(field).asText())) {
        return n;
      }
    }
    throw new AssertionError("no " + field + "=" + value + " in " + array);
  }

  private static List<Double> doubles(JsonNode array) {
    List<Double> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asDouble()));
    return out;
  }
}

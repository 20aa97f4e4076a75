package io.marginflow.topology.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.marginflow.registry.RegistryClientConfig;
import io.marginflow.topology.MarginflowTopology;
import io.marginflow.topology.config.TopologyConfig;
import io.marginflow.topology.serde.MarginflowSerdes;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.state.HostInfo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The HTTP contract around the queries, on an instance whose Kafka Streams has not started (so: not ready). */
class QueryServerTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http = HttpClient.newHttpClient();
  private KafkaStreams streams;
  private QueryServer server;

  @BeforeEach
  void start(@TempDir Path state) throws Exception {
    TopologyConfig config = TopologyConfig.defaults(1);
    MarginflowSerdes serdes = new MarginflowSerdes(Map.of(RegistryClientConfig.URL, "mock://query-server-test"));
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "query-server-test");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "localhost:1");
    props.put(StreamsConfig.STATE_DIR_CONFIG, state.toString());
    streams = new KafkaStreams(MarginflowTopology.build(config, serdes), props);
    server = QueryServer.bind("127.0.0.1", 0);
    server.attach(streams, new HostInfo("localhost", server.port()), config,
        ApiTokens.parse("http.tokens", "adm=admin,t7=tenant-7,t9=a%20%2F%20b%2C%3D+%C3%A9"), true);
  }

  @AfterEach
  void stop() {
    server.close();
    streams.close();
  }

  private HttpResponse<String> get(String path, String token) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<Void> head(String path, String token) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
        .method("HEAD", HttpRequest.BodyPublishers.noBody());
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.discarding());
  }

  /** Every answer, the dashboard's included, forbids sniffing, referrers and framing. */
  @Test
  void shouldSendSecurityHeadersOnEveryAnswer() throws Exception {
    for (String path : new String[] {"/", "/assets/dashboard.js", "/v1/tenants", "/health/live"}) {
      HttpResponse<String> r = get(path, null);
      assertEquals("nosniff", r.headers().firstValue("X-Content-Type-Options").orElse(""), path);
      assertEquals("no-referrer", r.headers().firstValue("Referrer-Policy").orElse(""), path);
      assertEquals("frame-ancestors 'none'", r.headers().firstValue("Content-Security-Policy").orElse(""), path);
    }
  }

  /** Errors Jetty answers before any route (headers or URI too long, a bad request line) in the API's JSON shape. */
  @Test
  void shouldAnswerJettysOwnErrorsAsJson() throws Exception {
    String badEscape = raw("GET /v1/tenants?window=%ZZ HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer adm\r\n\r\n");
    assertTrue(badEscape.startsWith("HTTP/1.1 400"), "a malformed escape is the client's mistake: " + badEscape);
    for (int expected : new int[] {431, 414, 400}) {
      String request = switch (expected) {
        case 431 -> "GET /v1/status HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(40_000) + "\r\n\r\n";
        case 414 -> "GET /v1/" + "a".repeat(40_000) + " HTTP/1.1\r\nHost: x\r\n\r\n";
        default -> "GET /v1/%2e%2e/%zz HTTP/1.1\r\nHost: x\r\n\r\n";
      };
      String answer = raw(request);
      assertTrue(answer.startsWith("HTTP/1.1 " + expected), answer);
      assertTrue(answer.contains("Content-Type: application/json"), answer);
      JsonNode body = JSON.readTree(answer.substring(answer.indexOf("\r\n\r\n") + 4));
      assertEquals(expected, body.path("status").asInt(), answer);
      assertFalse(body.path("error").asText().isEmpty(), answer);
    }
  }

  private String raw(String request) throws Exception {
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", server.port())) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(request.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
      socket.getOutputStream().flush();
      java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
      byte[] buf = new byte[8192];
      try {
        for (int n; (n = socket.getInputStream().read(buf)) > 0; ) {
          out.write(buf, 0, n);
          String s = out.toString(java.nio.charset.StandardCharsets.ISO_8859_1);
          int headerEnd = s.indexOf("\r\n\r\n");
          java.util.regex.Matcher m = java.util.regex.Pattern.compile("Content-Length: (\\d+)").matcher(s);
          if (headerEnd > 0 && m.find() && s.length() >= headerEnd + 4 + Integer.parseInt(m.group(1))) {
            break;
          }
        }
      } catch (java.net.SocketException e) {
        // the server may close after an error answer
      }
      return out.toString(java.nio.charset.StandardCharsets.ISO_8859_1);
    }
  }

  private static JsonNode json(HttpResponse<String> r) throws Exception {
    return JSON.readTree(r.body());
  }

  @Test
  void shouldAnswerNotReadyWithRetryAfterUntilStateIsUp() throws Exception {
    HttpResponse<String> ready = get("/health/ready", null);
    assertEquals(503, ready.statusCode());
    assertEquals("1", ready.headers().firstValue("Retry-After").orElse(""));
    assertEquals(200, get("/health/live", null).statusCode(), "created, not failed: alive");
    HttpResponse<String> margins = get("/v1/tenants/tenant-7/margins", "t7");
    assertEquals(503, margins.statusCode(), margins.body());
    assertEquals("1", margins.headers().firstValue("Retry-After").orElse(""));
    assertTrue(json(margins).path("error").asText().startsWith("not ready"), margins.body());
  }

  @Test
  void shouldRefuseMissingWrongAndForeignTokensAsJson() throws Exception {
    assertEquals(401, get("/v1/tenants/tenant-7/margins", null).statusCode());
    assertEquals(401, get("/v1/tenants/tenant-7/margins", "nope").statusCode());
    HttpResponse<String> foreign = get("/v1/tenants/tenant-8/margins", "t7");
    assertEquals(403, foreign.statusCode());
    assertEquals(403, json(foreign).path("status").asInt());
    assertEquals(403, get("/v1/unit-economics", "t7").statusCode());
  }

  /**
   * Every /v1 route: no token and an unknown token get 401; a tenant token gets 403 on another tenant's data and on
   * queries that span tenants; the routes that carry no tenant's data (prices in force, instance status, alerts which
   * are filtered per caller) accept any valid token. Checked before any state is read (this instance is not ready).
   */
  @ParameterizedTest(name = "{0}")
  @CsvSource({
      "/v1/tenants/tenant-8/margins?window=1h, FOREIGN",
      "/v1/tenants/tenant-8/budget, FOREIGN",
      "/v1/tenants?window=1h&limit=5, FOREIGN",
      "/v1/unit-economics?group=model&window=24h, FOREIGN",
      "/v1/nodes, FOREIGN",
      "/v1/nodes/node-01/energy, FOREIGN",
      "/v1/pricing, ANY_TOKEN",
      "/v1/status, ANY_TOKEN",
      "/v1/alerts, ANY_TOKEN",
      "/v1/unit-costs, FOREIGN"})
  void shouldRefuseEveryRouteWithoutAValidTokenAndForeignTenantsWhereTheDataIsNotTheirs(String path, String tenantToken)
      throws Exception {
    for (String token : new String[] {null, "nope", "Bearer", ""}) {
      assertEquals(401, head(path, token).statusCode(), "HEAD " + path + " with token " + token);
      HttpResponse<String> r = get(path, token);
      assertEquals(401, r.statusCode(), path + " with token " + token + ": " + r.body());
      assertEquals(401, json(r).path("status").asInt(), r.body());
      assertFalse(json(r).path("error").asText().isEmpty(), r.body());
    }
    HttpResponse<String> tenant = get(path, "t7");
    assertEquals(tenant.statusCode(), head(path, "t7").statusCode(), "HEAD answers as GET: " + path);
    if (tenantToken.equals("FOREIGN")) {
      assertEquals(403, tenant.statusCode(), path + ": " + tenant.body());
      assertEquals(403, json(tenant).path("status").asInt(), tenant.body());
    } else {
      assertTrue(tenant.statusCode() != 401 && tenant.statusCode() != 403, path + ": " + tenant.body());
    }
    assertTrue(get(path, "adm").statusCode() != 401 && get(path, "adm").statusCode() != 403, path + " as admin");
  }

  /** An id with spaces, '/', ',', '=', '+' and a non-ASCII letter: its own token reads it, percent-encoded in the path. */
  @Test
  void shouldServeEveryIdThePipelineAcceptsPercentEncoded() throws Exception {
    String path = "/v1/tenants/a%20%2F%20b%2C%3D+%C3%A9/margins";
    HttpResponse<String> own = get(path, "t9");
    assertEquals(503, own.statusCode(), "valid and authorized, only the state is not up yet: " + own.body());
    assertEquals(403, get("/v1/tenants/tenant-7/margins", "t9").statusCode());
    assertEquals(403, get("/v1/tenants/a%20%2F%20b%2C%3D%20%C3%A9/margins", "t9").statusCode(), "'+' is not a space");
    assertEquals(503, get("/v1/tenants/" + "%C3%A9".repeat(128) + "/budget", "adm").statusCode(), "128 characters");
  }

  @Test
  void shouldValidateInputsBeforeTouchingState() throws Exception {
    assertEquals(400, get("/v1/tenants?limit=0", "adm").statusCode());
    assertEquals(400, get("/v1/tenants?sort=vibes", "adm").statusCode());
    assertEquals(400, get("/v1/tenants?window=2h", "adm").statusCode());
    assertEquals(400, get("/v1/unit-economics?group=planet", "adm").statusCode());
    assertEquals(400, get("/v1/tenants/bad%E2%80%8Btenant/margins", "adm").statusCode());   // zero-width space (Cf)
    assertEquals(400, get("/v1/tenants/bad%1B%5B31m/budget", "adm").statusCode());        // ESC
    assertEquals(400, get("/v1/tenants/trailing%20/margins", "adm").statusCode());
    assertEquals(400, get("/v1/tenants/" + "t".repeat(129) + "/margins", "adm").statusCode());
    assertEquals(400, get("/v1/nodes/n%09/energy", "adm").statusCode());
    assertTrue(json(get("/v1/tenants/bad%E2%80%8Btenant/margins", "adm")).path("error").asText()
        .contains("control or format character U+200B"));
    HttpResponse<String> unknown = get("/v1/whatever", "adm");
    assertEquals(404, unknown.statusCode());
    assertTrue(json(unknown).path("error").asText().contains("no such endpoint"));
    HttpResponse<String> post = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/v1/tenants"))
        .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(405, post.statusCode());
  }

  @Test
  void shouldAnswerOversizedRequestsWithJsonFromTheServerItself() throws Exception {
    HttpResponse<String> big = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/v1/tenants"))
        .header("X-Padding", "x".repeat(20_000)).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(431, big.statusCode(), big.body());
    assertTrue(big.headers().firstValue("Content-Type").orElse("").startsWith("application/json"), big.headers().toString());
    assertEquals(431, json(big).path("status").asInt(), big.body());
    assertFalse(big.body().contains("at org.eclipse"), "no stack trace");
  }

  @Test
  void shouldServeTheDashboardAndMetricsWithoutToken() throws Exception {
    HttpResponse<String> page = get("/", null);
    assertEquals(200, page.statusCode());
    assertTrue(page.body().contains("/assets/chart.umd.js"));
    HttpResponse<String> chart = get("/assets/chart.umd.js", null);
    assertEquals(200, chart.statusCode());
    assertTrue(chart.body().length() > 100_000, "Chart.js from its WebJar");
    assertEquals(200, get("/assets/dashboard.js", null).statusCode());
    HttpResponse<String> metrics = get("/metrics", null);
    assertEquals(200, metrics.statusCode());
    assertTrue(metrics.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
  }
}

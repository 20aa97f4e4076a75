package io.marginflow.topology.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.marginflow.topology.config.TopologyConfig;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The query API (SPEC 8) and the dashboard, on the JDK's HTTP server: no framework to align with Kafka's own
 * Jetty, a handful of routes, JSON errors everywhere. /metrics and /health/* need no token; everything under
 * /v1 needs a bearer token.
 */
public final class QueryServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(QueryServer.class);
  private static final ObjectMapper JSON = Json.MAPPER;
  private static final Pattern MARGINS = Pattern.compile("/v1/tenants/([^/]+)/margins");
  private static final Pattern BUDGET = Pattern.compile("/v1/tenants/([^/]+)/budget");
  private static final Pattern ENERGY = Pattern.compile("/v1/nodes/([^/]+)/energy");
  private static final java.time.Duration METRICS_REFRESH = java.time.Duration.ofSeconds(5);
  private static final String CHART_JS = "META-INF/resources/webjars/chart.js/4.5.1/dist/chart.umd.js";

  private final HttpServer server;
  private final ExecutorService executor;
  private final PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private KafkaStreams streams;
  private ApiTokens tokens;
  private KafkaStreamsMetrics streamsMetrics;
  private java.util.concurrent.ScheduledExecutorService metricsRefresh;
  private QueryApi api;
  private ReferenceQueries reference;

  private QueryServer(HttpServer server) {
    this.server = server;
    this.executor = Executors.newFixedThreadPool(8, r -> {
      Thread t = new Thread(r, "marginflow-http");
      t.setDaemon(true);
      return t;
    });
    server.setExecutor(executor);
    server.createContext("/", this::handle);
  }

  /**
   * Binds the port first (0: any free port), so that the instance can announce it as application.server before
   * Kafka Streams starts; {@link #attach} then starts serving.
   */
  public static QueryServer bind(String bindHost, int port) throws IOException {
    return new QueryServer(HttpServer.create(new InetSocketAddress(bindHost, port), 128));
  }

  /** Starts serving the queries of {@code streams}, known to the others as {@code self}. */
  public QueryServer attach(KafkaStreams streams, HostInfo self, TopologyConfig config, ApiTokens tokens,
      boolean dynamicPricing) {
    this.streams = streams;
    this.tokens = tokens;
    // Pipeline counters appear when a task first needs them: look for new Kafka metrics every few seconds, not 60.
    this.metricsRefresh = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "marginflow-metrics-refresh");
      t.setDaemon(true);
      return t;
    });
    this.streamsMetrics = new KafkaStreamsMetrics(streams, java.util.List.of(), metricsRefresh, METRICS_REFRESH);
    streamsMetrics.bindTo(metrics);
    this.api = new QueryApi(streams, config, self);
    this.reference = new ReferenceQueries(api.local(), config, dynamicPricing);
    server.start();
    LOG.info("Query API and dashboard on http://{}:{}/", self.host(), port());
    return this;
  }

  public int port() {
    return server.getAddress().getPort();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getPath();
      try {
        if (!"GET".equals(exchange.getRequestMethod())) {
          throw new ApiError(405, "only GET is supported");
        }
        if (!path.startsWith("/v1/") && serveUnauthenticated(exchange, path)) {
          return;
        }
        respond(exchange, 200, route(exchange, path));
      } catch (ApiError e) {
        if (e.retryAfterSeconds() > 0) {
          exchange.getResponseHeaders().set("Retry-After", Integer.toString(e.retryAfterSeconds()));
        }
        respond(exchange, e.status(), error(e.status(), e.getMessage()));
      } catch (InvalidStateStoreException e) {
        exchange.getResponseHeaders().set("Retry-After", "1");
        respond(exchange, 503, error(503, "not ready: " + e.getMessage()));
      } catch (RuntimeException e) {
        LOG.error("Query {} failed", exchange.getRequestURI(), e);
        respond(exchange, 500, error(500, "internal error: " + e.getClass().getSimpleName()));
      }
    }
  }

  private JsonNode route(HttpExchange exchange, String path) {
    String auth = exchange.getRequestHeaders().getFirst("Authorization");
    String raw = exchange.getRequestURI().getRawQuery();
    Request r = new Request(tokens.authenticate(auth), new Params(raw), path + (raw == null ? "" : "?" + raw), auth,
        exchange.getRequestHeaders().getFirst(Forwarder.FORWARDED) != null);
    Matcher m;
    if ((m = MARGINS.matcher(path)).matches()) {
      return api.margins(r, Params.tenant(m.group(1)));
    } else if ((m = BUDGET.matcher(path)).matches()) {
      return api.budget(r, Params.tenant(m.group(1)), reference);
    } else if ((m = ENERGY.matcher(path)).matches()) {
      return api.nodeEnergy(r, m.group(1));
    }
    return switch (path) {
      case "/v1/tenants" -> api.tenants(r);
      case "/v1/unit-economics" -> api.unitEconomics(r);
      case "/v1/pricing" -> reference.pricing();
      case "/v1/status" -> api.status();
      case "/v1/nodes" -> {
        r.principal().requireAdmin();
        yield reference.nodes();
      }
      case "/v1/alerts" -> JSON.createObjectNode().put("note", "budget alerts are not produced yet").set("alerts",
          JSON.createArrayNode());
      default -> throw ApiError.notFound("no such endpoint: " + path);
    };
  }

  /** Health, metrics and the dashboard; true when handled. */
  private boolean serveUnauthenticated(HttpExchange exchange, String path) throws IOException {
    switch (path) {
      case "/health/live" -> {
        boolean alive = streams.state() != KafkaStreams.State.ERROR && streams.state() != KafkaStreams.State.NOT_RUNNING;
        respond(exchange, alive ? 200 : 503, JSON.createObjectNode().put("status", alive ? "UP" : "DOWN")
            .put("state", streams.state().name()));
      }
      case "/health/ready" -> {
        boolean ready = streams.state() == KafkaStreams.State.RUNNING;
        if (!ready) {
          exchange.getResponseHeaders().set("Retry-After", "1");
        }
        respond(exchange, ready ? 200 : 503, JSON.createObjectNode().put("status", ready ? "READY" : "NOT_READY")
            .put("state", streams.state().name()));
      }
      case "/metrics" -> send(exchange, 200, "text/plain; version=0.0.4; charset=utf-8",
          metrics.scrape().getBytes(StandardCharsets.UTF_8));
      case "/", "/index.html" -> staticFile(exchange, "io/marginflow/dashboard/index.html", "text/html; charset=utf-8");
      case "/assets/chart.umd.js" -> staticFile(exchange, CHART_JS, "text/javascript; charset=utf-8");
      case "/assets/dashboard.js" -> staticFile(exchange, "io/marginflow/dashboard/dashboard.js", "text/javascript; charset=utf-8");
      case "/assets/dashboard.css" -> staticFile(exchange, "io/marginflow/dashboard/dashboard.css", "text/css; charset=utf-8");
      default -> {
        return false;
      }
    }
    return true;
  }

  private void staticFile(HttpExchange exchange, String resource, String type) throws IOException {
    try (InputStream in = QueryServer.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw ApiError.notFound("missing asset " + resource);
      }
      send(exchange, 200, type, in.readAllBytes());
    }
  }

  private static JsonNode error(int status, String message) {
    return JSON.createObjectNode().put("status", status).put("error", message);
  }

  private static void respond(HttpExchange exchange, int status, JsonNode body) throws IOException {
    send(exchange, status, "application/json", JSON.writeValueAsBytes(body));
  }

  private static void send(HttpExchange exchange, int status, String type, byte[] body) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", type);
    exchange.getResponseHeaders().set("Cache-Control", "no-store");
    exchange.sendResponseHeaders(status, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
    if (streamsMetrics != null) {
      streamsMetrics.close();
      metricsRefresh.shutdownNow();
    }
    metrics.close();
  }
}

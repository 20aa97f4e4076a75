package io.marginflow.topology.query;

import static io.marginflow.topology.query.CommonRoutes.getAndHead;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.marginflow.topology.config.TopologyConfig;
import io.marginflow.topology.http.SecurityHeaders;
import io.marginflow.topology.http.Tls;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.marginflow.topology.metrics.ScrapeTimeRebind;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.state.HostInfo;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The query API (SPEC 8) and the dashboard on Javalin (Jetty 12, TCP_NODELAY, keep-alive): /metrics, /health/* and
 * the dashboard need no token, everything under /v1 a bearer token. Every error is JSON {"status", "error"}; 503s
 * carry Retry-After. Requests are bounded in size and idle connections time out.
 */
public final class QueryServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(QueryServer.class);
  private static final ObjectMapper JSON = Json.MAPPER;
  private static final Duration METRICS_REFRESH = Duration.ofSeconds(5);
  /** Chart.js in its WebJar, on the class path: the dashboard serves it, reports inline it (no CDN). */
  public static final String CHART_JS = "META-INF/resources/webjars/chart.js/4.5.1/dist/chart.umd.js";

  private final Javalin javalin;
  private final ServerConnector connector;
  private final PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final ScrapeTimeRebind metricsRefresh = new ScrapeTimeRebind(METRICS_REFRESH);
  private volatile Attached attached;
  private final FeedQueries feeds = new FeedQueries();

  /** What serving needs once Kafka Streams exists. */
  private record Attached(KafkaStreams streams, ApiTokens tokens, QueryApi api, ReferenceQueries reference,
      KafkaStreamsMetrics streamsMetrics) {
  }

  private final SslContextFactory.Server tls;
  private final boolean https;

  private QueryServer(String bindHost, int port, SslContextFactory.Server tls) {
    ServerConnector[] holder = new ServerConnector[1];
    this.tls = tls;
    this.https = tls != null;
    this.javalin = Javalin.create(cfg -> configure(cfg, bindHost, port, tls, holder));
    javalin.start();
    this.connector = holder[0];
  }

  /**
   * Binds the port and starts answering (503 until {@link #attach}), so that the instance can announce its port as
   * application.server before Kafka Streams starts. Port 0 picks a free port.
   */
  public static QueryServer bind(String bindHost, int port) {
    return new QueryServer(bindHost, port, null);
  }

  /** {@link #bind(String, int)} speaking HTTPS only with {@code tls} ({@link Tls#server}); null: plain HTTP. */
  public static QueryServer bind(String bindHost, int port, SslContextFactory.Server tls) {
    return new QueryServer(bindHost, port, tls);
  }

  /** Starts serving the queries of {@code streams}, known to the others as {@code self}. */
  public QueryServer attach(KafkaStreams streams, HostInfo self, TopologyConfig config, ApiTokens tokens,
      boolean dynamicPricing) {
    // Pipeline counters appear when a task first needs them: look for new Kafka metrics when /metrics is read (at most
    // every few seconds), not on a timer.
    KafkaStreamsMetrics streamsMetrics = new KafkaStreamsMetrics(streams, List.of(), metricsRefresh, METRICS_REFRESH);
    streamsMetrics.bindTo(metrics);
    QueryApi api = new QueryApi(streams, config, self, tls == null ? null : Tls.peerClient(tls));
    this.attached = new Attached(streams, tokens, api, new ReferenceQueries(api.local(), config, dynamicPricing),
        streamsMetrics);
    LOG.info("Query API and dashboard on {}://{}:{}/ (listening on {}); {}", https ? "https" : "http", self.host(),
        port(), connector.getHost() == null ? "every interface" : connector.getHost(), tokens.describe());
    return this;
  }

  public int port() {
    return connector.getLocalPort();
  }

  /** The answers read from topics (alerts, unit costs, multipliers), whose feeds the service sets. */
  public FeedQueries feeds() {
    return feeds;
  }

  private byte[] scrape() {
    metricsRefresh.beforeScrape();
    return metrics.scrape().getBytes(StandardCharsets.UTF_8);
  }

  /** Adds {@code binder}'s meters to /metrics. */
  public QueryServer register(io.micrometer.core.instrument.binder.MeterBinder binder) {
    binder.bindTo(metrics);
    return this;
  }

  private void configure(JavalinConfig cfg, String bindHost, int port, SslContextFactory.Server tls,
      ServerConnector[] holder) {
    ServerSettings.apply(cfg, bindHost, port, tls, holder);
    routes(cfg);
  }

  private void routes(JavalinConfig cfg) {
    var r = cfg.routes;
    r.before(ctx -> {
      ctx.header("Cache-Control", "no-store");
      // The dashboard carries a token: no sniffing, no referrer, never framed.
      SecurityHeaders.add(ctx::header);
    });
    getAndHead(r, "/v1/tenants/{tenant}/margins", api((a, q, ctx) -> a.api().margins(q, Params.tenant(ctx.pathParam("tenant")))));
    getAndHead(r, "/v1/tenants/{tenant}/budget", api((a, q, ctx) -> a.api().budget(q, Params.tenant(ctx.pathParam("tenant")),
        a.reference())));
    getAndHead(r, "/v1/nodes/{node}/energy", api((a, q, ctx) -> a.api().nodeEnergy(q, Params.id("node", ctx.pathParam("node")))));
    getAndHead(r, "/v1/tenants", api((a, q, ctx) -> a.api().tenants(q)));
    getAndHead(r, "/v1/unit-economics", api((a, q, ctx) -> a.api().unitEconomics(q)));
    getAndHead(r, "/v1/pricing", api((a, q, ctx) -> a.reference().pricing(feeds.latestAdjustments(),
        q.principal().isAdmin())));
    getAndHead(r, "/v1/status", api((a, q, ctx) -> a.api().status()));
    getAndHead(r, "/v1/nodes", api((a, q, ctx) -> {
      q.principal().requireAdmin();
      return a.reference().nodes();
    }));
    getAndHead(r, "/v1/alerts", api((a, q, ctx) -> feeds.alerts(q)));
    getAndHead(r, "/v1/unit-costs", api((a, q, ctx) -> feeds.unitCosts(q)));
    getAndHead(r, "/health/live", ctx -> CommonRoutes.health(ctx, streams(),
        s -> s != KafkaStreams.State.ERROR && s != KafkaStreams.State.NOT_RUNNING, true, "UP", "DOWN"));
    getAndHead(r, "/health/ready", ctx -> CommonRoutes.health(ctx, streams(), s -> s == KafkaStreams.State.RUNNING, false,
        "READY", "NOT_READY"));
    getAndHead(r, "/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8")
        .result(scrape()));
    CommonRoutes.dashboard(r);
    CommonRoutes.errors(r);
  }

  /** A /v1 query: the caller's token, validated parameters, then the answer as JSON. */
  @FunctionalInterface
  private interface Query {
    JsonNode answer(Attached attached, Request request, Context ctx);
  }

  private Handler api(Query query) {
    return ctx -> {
      Attached a = ready();
      String auth = ctx.header("Authorization");
      String raw = ctx.queryString();
      Request request = new Request(a.tokens().authenticate(auth), new Params(raw), ctx.path() + (raw == null ? "" : "?" + raw),
          auth, ctx.header(Forwarder.FORWARDED) != null);
      Responses.respond(ctx, 200, query.answer(a, request, ctx));
    };
  }

  private KafkaStreams streams() {
    Attached a = attached;
    return a == null ? null : a.streams();
  }

  private Attached ready() {
    Attached a = attached;
    if (a == null) {
      throw ApiError.unavailable("not ready: the pipeline is starting");
    }
    return a;
  }

  @Override
  public void close() {
    javalin.stop();
    feeds.close();
    Attached a = attached;
    if (a != null) {
      a.streamsMetrics().close();
    }
    metricsRefresh.shutdownNow();
    metrics.close();
  }
}

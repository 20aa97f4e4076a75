package io.marginflow.ops.ingest;

import io.javalin.Javalin;
import io.javalin.config.JavalinConfig;
import io.marginflow.schemas.Ids;
import io.marginflow.topology.config.MarginflowConfig;
import io.marginflow.topology.domain.Validation;
import io.marginflow.topology.http.JsonErrorHandler;
import io.marginflow.topology.http.Tls;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Map;
import java.util.Set;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The stateless ingest gateway: OTLP/HTTP traces ({@code POST /v1/traces}, protobuf or JSON, gzip accepted) mapped
 * from the OpenTelemetry GenAI conventions, and plain JSON usage ({@code POST /v1/usage}), produced as TokenUsage.
 * Health and metrics as the app's. Scale it like any stateless HTTP service: every instance is the same. This class
 * serves the routes; {@link TracesEndpoint} and {@link UsageEndpoint} handle the two posts.
 */
public final class IngestGateway implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(IngestGateway.class);
  static final String PROTOBUF = "application/x-protobuf";

  private final IngestConfig config;
  private final Set<String> tokens;
  private final PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final UsageSink sink;
  private final TracesEndpoint traces;
  private final UsageEndpoint usage;
  private final Javalin javalin;
  private ServerConnector connector;

  private final SslContextFactory.Server tls;

  private IngestGateway(MarginflowConfig pipeline, IngestConfig config) {
    config.requireAuthenticatedExposure();
    this.tls = Tls.server(config, IngestConfig.PREFIX);
    this.config = config;
    Validation validation = pipeline.validation();
    IngestConfig.Attributes attributes = config.attributes();
    GenAiMapping mapping = new GenAiMapping(attributes, validation, System::currentTimeMillis);
    this.tokens = config.tokens();
    this.sink = new UsageSink(pipeline, meters);
    IngestRequests requests = new IngestRequests(tokens, config.getInt(IngestConfig.MAX_BODY));
    this.traces = new TracesEndpoint(requests, mapping, attributes, sink);
    this.usage = new UsageEndpoint(requests, sink, attributes.defaultRegion(), validation);
    this.javalin = Javalin.create(this::configure);
  }

  /** Starts the gateway on {@code ingest.port}. */
  public static IngestGateway start(MarginflowConfig pipeline, IngestConfig config) {
    IngestGateway g = new IngestGateway(pipeline, config);
    g.javalin.start();
    String bind = config.getString(IngestConfig.BIND);
    LOG.info("Ingest gateway: OTLP/HTTP on {}://{}:{}/v1/traces, JSON on /v1/usage; {}", g.tls == null ? "http" : "https",
        bind, g.port(), g.tokens.isEmpty() ? (Tls.loopback(bind) ? "no token required (loopback only)"
            : "no token required (" + IngestConfig.ALLOW_ANONYMOUS + "=true)") : g.tokens.size() + " token(s) accepted");
    if (g.tls == null && !Tls.loopback(bind)) {
      LOG.warn("The ingest gateway listens on {} without TLS: tokens and usage cross the network in clear; set "
          + "ingest.tls.certificate and ingest.tls.key (or ingest.tls.keystore) to serve HTTPS", bind);
    }
    return g;
  }

  public int port() {
    return connector.getLocalPort();
  }

  private void configure(JavalinConfig cfg) {
    cfg.startup.showJavalinBanner = false;
    cfg.startup.showOldJavalinVersionWarning = false;
    cfg.http.maxRequestSize = config.getInt(IngestConfig.MAX_BODY);
    cfg.http.prefer405over404 = true;
    cfg.jetty.modifyServer(server -> server.setErrorHandler(new JsonErrorHandler()));
    cfg.jetty.addConnector((server, http) -> {
      http.setSendServerVersion(false);
      connector = Tls.connector(server, http, tls);
      connector.setHost(config.getString(IngestConfig.BIND));
      connector.setPort(config.getInt(IngestConfig.PORT));
      return connector;
    });
    var r = cfg.routes;
    r.post("/v1/traces", traces::handle);
    r.post("/v1/usage", usage::handle);
    r.get("/health/live", ctx -> ctx.json(Map.of("status", "UP")));
    r.get("/health/ready", ctx -> ctx.status(sink.ready() ? 200 : 503).json(Map.of("status",
        sink.ready() ? "READY" : "NOT_READY")));
    r.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(meters.scrape()));
    r.exception(io.javalin.http.HttpResponseException.class, (e, ctx) -> IngestRequests.error(ctx, e.getStatus(),
        e.getStatus() == 404 ? "no such endpoint: " + ctx.path() + " (POST /v1/traces, POST /v1/usage)"
            : e.getStatus() == 405 ? ctx.method() + " is not supported on " + ctx.path() : e.getMessage()));
    r.exception(Exception.class, (e, ctx) -> {
      LOG.error("Ingest {} failed", Ids.printable(ctx.path()), e);
      IngestRequests.error(ctx, 500, "internal error (logged by the gateway)");
    });
    r.error(404, ctx -> {
      if (!IngestRequests.answered(ctx)) {
        IngestRequests.error(ctx, 404, "no such endpoint: " + ctx.path() + " (POST /v1/traces, POST /v1/usage)");
      }
    });
    r.error(405, ctx -> {
      if (!IngestRequests.answered(ctx)) {
        IngestRequests.error(ctx, 405, ctx.method() + " is not supported on " + ctx.path());
      }
    });
  }

  @Override
  public void close() {
    javalin.stop();
    sink.close();
    meters.close();
  }
}

package io.marginflow.ops.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.Javalin;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.marginflow.ops.ingest.GenAiMapping.Outcome;
import io.marginflow.topology.config.MarginflowConfig;
import io.marginflow.schemas.Ids;
import io.marginflow.topology.domain.Validation;
import io.marginflow.topology.http.JsonErrorHandler;
import io.marginflow.topology.http.Tls;
import io.marginflow.topology.query.Json;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.zip.GZIPInputStream;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The stateless ingest gateway: OTLP/HTTP traces ({@code POST /v1/traces}, protobuf or JSON, gzip accepted) mapped
 * from the OpenTelemetry GenAI conventions, and plain JSON usage ({@code POST /v1/usage}), produced as TokenUsage.
 * Health and metrics as the app's. Scale it like any stateless HTTP service: every instance is the same.
 */
public final class IngestGateway implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(IngestGateway.class);
  static final String PROTOBUF = "application/x-protobuf";
  private static final String ANSWERED = "marginflow.answered";

  private final IngestConfig config;
  private final GenAiMapping mapping;
  private final Validation validation;
  private final Set<String> tokens;
  private final PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final UsageSink sink;
  private final Javalin javalin;
  private ServerConnector connector;

  private final SslContextFactory.Server tls;

  private IngestGateway(MarginflowConfig pipeline, IngestConfig config) {
    config.requireAuthenticatedExposure();
    this.tls = Tls.server(config, IngestConfig.PREFIX);
    this.config = config;
    this.validation = pipeline.validation();
    this.mapping = new GenAiMapping(config.attributes(), validation, System::currentTimeMillis);
    this.tokens = config.tokens();
    this.sink = new UsageSink(pipeline, meters);
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
    r.post("/v1/traces", this::traces);
    r.post("/v1/usage", this::usage);
    r.get("/health/live", ctx -> ctx.json(Map.of("status", "UP")));
    r.get("/health/ready", ctx -> ctx.status(sink.ready() ? 200 : 503).json(Map.of("status",
        sink.ready() ? "READY" : "NOT_READY")));
    r.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(meters.scrape()));
    r.exception(io.javalin.http.HttpResponseException.class, (e, ctx) -> error(ctx, e.getStatus(),
        e.getStatus() == 404 ? "no such endpoint: " + ctx.path() + " (POST /v1/traces, POST /v1/usage)"
            : e.getStatus() == 405 ? ctx.method() + " is not supported on " + ctx.path() : e.getMessage()));
    r.exception(Exception.class, (e, ctx) -> {
      LOG.error("Ingest {} failed", Ids.printable(ctx.path()), e);
      error(ctx, 500, "internal error (logged by the gateway)");
    });
    r.error(404, ctx -> {
      if (ctx.attribute(ANSWERED) == null) {
        error(ctx, 404, "no such endpoint: " + ctx.path() + " (POST /v1/traces, POST /v1/usage)");
      }
    });
    r.error(405, ctx -> {
      if (ctx.attribute(ANSWERED) == null) {
        error(ctx, 405, ctx.method() + " is not supported on " + ctx.path());
      }
    });
  }

  private boolean authorized(Context ctx) {
    if (tokens.isEmpty()) {
      return true;
    }
    String auth = ctx.header("Authorization");
    if (auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7) && tokens.contains(auth.substring(7).trim())) {
      return true;
    }
    error(ctx, 401, "a valid bearer token is required");
    return false;
  }

  /** OTLP/HTTP: 200 with ExportTraceServiceResponse (partial_success counts rejected spans), 400/415 on a bad body. */
  private void traces(Context ctx) throws Exception {
    if (!authorized(ctx)) {
      return;
    }
    String type = contentType(ctx);
    boolean protobuf = type.equals(PROTOBUF);
    if (!protobuf && !type.equals("application/json")) {
      error(ctx, 415, "Content-Type must be application/x-protobuf or application/json (OTLP/HTTP)");
      return;
    }
    List<SpanView> spans;
    try {
      byte[] body = body(ctx);
      spans = protobuf ? OtlpTraces.fromProtobuf(body) : OtlpTraces.fromJson(body);
    } catch (OtlpTraces.BadRequest | IOException e) {
      OtlpResponses.status(ctx, protobuf, 400, e.getMessage());
      return;
    }
    UsageSink.Batch batch = sink.batch("otlp");
    Map<String, Integer> rejected = new TreeMap<>();
    String firstDetail = null;
    for (SpanView span : spans) {
      Outcome o = mapping.map(span);
      if (o.usage() != null) {
        batch.usage(o.usage());
      } else if (!o.ignored()) {
        rejected.merge(o.reason(), 1, Integer::sum);
        firstDetail = firstDetail == null ? o.reason() + ": " + o.detail() : firstDetail;
        Object tenant = span.attributes().getOrDefault(config.attributes().tenant(),
            span.resource().get(config.attributes().tenant()));
        batch.reject(o.reason(), o.detail(), OtlpTraces.json(span), tenant == null ? null : tenant.toString(),
            span.endTimeUnixNano() / 1_000_000L);
      }
    }
    if (!acknowledged(ctx, batch, protobuf)) {
      return;
    }
    int count = rejected.values().stream().mapToInt(Integer::intValue).sum();
    OtlpResponses.exported(ctx, protobuf, count, count == 0 ? "" : count + " span(s) rejected " + rejected
        + ", kept in the usage dead-letter queue; first: " + firstDetail);
  }

  /** Plain JSON: 202 with the accepted count and an error per rejected event (by index). */
  private void usage(Context ctx) throws Exception {
    if (!authorized(ctx)) {
      return;
    }
    JsonNode body;
    try {
      body = Json.MAPPER.readTree(body(ctx));
    } catch (IOException e) {
      error(ctx, 400, "the body must be a JSON object or array of TokenUsage events; it is not JSON"
          + OtlpTraces.where(e));
      return;
    }
    if (body == null || !body.isObject() && !body.isArray()) {
      error(ctx, 400, "the body must be a JSON object or array of TokenUsage events");
      return;
    }
    UsageSink.Batch batch = sink.batch("json");
    ObjectNode answer = Json.MAPPER.createObjectNode();
    ArrayNode errors = Json.MAPPER.createArrayNode();
    int accepted = 0;
    List<JsonNode> events = UsageJson.events(body);
    for (int i = 0; i < events.size(); i++) {
      JsonNode event = events.get(i);
      UsageJson.Parsed p = UsageJson.parse(event, config.attributes().defaultRegion(), System.currentTimeMillis(),
          validation);
      if (p.usage() != null) {
        batch.usage(p.usage());
        accepted++;
      } else {
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
    if (!acknowledged(ctx, batch, false)) {
      return;
    }
    answer.put("accepted", accepted).put("rejected", errors.size()).set("errors", errors);
    ctx.status(202).contentType("application/json").result(Json.MAPPER.writeValueAsString(answer));
  }

  /** Waits for the broker's acks; on failure answers 503 with Retry-After (OTLP clients retry it) and returns false. */
  private boolean acknowledged(Context ctx, UsageSink.Batch batch, boolean protobuf) throws InterruptedException {
    try {
      batch.await();
      return true;
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      LOG.warn("Producing to Kafka failed; answering 503 so that the client retries: {}", e.toString());
      ctx.header("Retry-After", "5");
      OtlpResponses.status(ctx, protobuf, 503, "the events could not be stored yet; retry later");
      return false;
    }
  }

  private byte[] body(Context ctx) throws IOException {
    byte[] raw = ctx.bodyAsBytes();
    String encoding = ctx.header("Content-Encoding");
    if (encoding == null || encoding.isBlank() || encoding.equalsIgnoreCase("identity")) {
      return raw;
    }
    if (!encoding.equalsIgnoreCase("gzip")) {
      throw new IOException("unsupported Content-Encoding " + encoding + " (gzip or none)");
    }
    int max = config.getInt(IngestConfig.MAX_BODY);
    try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(raw))) {
      byte[] out = in.readNBytes(max + 1);
      if (out.length > max) {
        throw new IOException("the decompressed body exceeds the limit of " + max + " bytes");
      }
      return out;
    }
  }

  private static String contentType(Context ctx) {
    String t = ctx.header("Content-Type");
    return t == null ? "" : t.split(";")[0].trim().toLowerCase(Locale.ROOT);
  }

  /** The query API's error shape: {"status": 400, "error": "..."}. */
  static void error(Context ctx, int status, String message) {
    ctx.attribute(ANSWERED, Boolean.TRUE);
    ctx.status(status).contentType("application/json").result(Json.MAPPER.createObjectNode().put("status", status)
        .put("error", message == null ? "" : message).toString().getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public void close() {
    javalin.stop();
    sink.close();
    meters.close();
  }
}

package io.marginflow.topology.query;

import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.util.function.Predicate;
import org.apache.kafka.streams.KafkaStreams;
import io.javalin.router.JavalinDefaultRoutingApi;
import io.marginflow.schemas.Ids;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The query server's routes beside its queries: health (alive while starting, ready once running), the dashboard's
 * files (Chart.js from its WebJar), and every error answered as JSON {"status", "error"} without a stack trace; a 503
 * carries Retry-After.
 */
final class CommonRoutes {
  private static final Logger LOG = LoggerFactory.getLogger(QueryServer.class);

  private CommonRoutes() {
  }

  /** GET {@code path}, and HEAD that answers what GET would (Javalin's own HEAD answers 200 without the handler). */
  static void getAndHead(JavalinDefaultRoutingApi r, String path, Handler handler) {
    r.get(path, handler);
    r.head(path, handler);
  }

  /** The dashboard's page and assets. */
  static void dashboard(JavalinDefaultRoutingApi r) {
    getAndHead(r, "/", Responses.asset("io/marginflow/dashboard/index.html", "text/html; charset=utf-8"));
    getAndHead(r, "/index.html", Responses.asset("io/marginflow/dashboard/index.html", "text/html; charset=utf-8"));
    getAndHead(r, "/assets/chart.umd.js", Responses.asset(QueryServer.CHART_JS, "text/javascript; charset=utf-8"));
    getAndHead(r, "/assets/dashboard.js", Responses.asset("io/marginflow/dashboard/dashboard.js", "text/javascript; charset=utf-8"));
    getAndHead(r, "/assets/dashboard.css", Responses.asset("io/marginflow/dashboard/dashboard.css", "text/css; charset=utf-8"));
  }

  /** Errors as JSON: API errors, Javalin's 404/405, state not ready (503), anything else (500, logged). */
  static void errors(JavalinDefaultRoutingApi r) {
    r.exception(ApiError.class, (e, ctx) -> {
      if (e.retryAfterSeconds() > 0) {
        ctx.header("Retry-After", Integer.toString(e.retryAfterSeconds()));
      }
      Responses.error(ctx, e.status(), e.getMessage());
    });
    r.exception(io.javalin.http.HttpResponseException.class, (e, ctx) -> Responses.error(ctx, e.getStatus(),
        e.getStatus() == 404 ? "no such endpoint: " + ctx.path() : e.getStatus() == 405 ? "only GET is supported"
            : e.getMessage()));
    r.exception(InvalidStateStoreException.class, (e, ctx) -> {
      ctx.header("Retry-After", "1");
      LOG.debug("Query {} found state not ready: {}", Ids.printable(ctx.path()), e.toString());
      Responses.error(ctx, 503, "not ready: state is being restored or moved between instances; retry");
    });
    r.exception(Exception.class, (e, ctx) -> {
      LOG.error("Query {} failed", Ids.printable(ctx.path()), e);
      Responses.error(ctx, 500, "internal error (logged by the server)");
    });
    r.error(404, ctx -> Responses.unlessAnswered(ctx, 404, "no such endpoint: " + ctx.path()));
    r.error(405, ctx -> Responses.unlessAnswered(ctx, 405, "only GET is supported"));
  }

  /** Health of the instance; before Kafka Streams is attached it is starting: alive, not ready. */
  static void health(Context ctx, KafkaStreams streams, Predicate<KafkaStreams.State> ok, boolean goodWhileStarting,
      String up, String down) {
    KafkaStreams.State state = streams == null ? KafkaStreams.State.CREATED : streams.state();
    boolean good = streams == null ? goodWhileStarting : ok.test(state);
    if (!good) {
      ctx.header("Retry-After", "1");
    }
    Responses.respond(ctx, good ? 200 : 503, Json.MAPPER.createObjectNode().put("status", good ? up : down).put("state", state.name()));
  }
}

package io.marginflow.topology.query;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** How the query server answers: JSON bodies (errors as {"status", "error"}), and the dashboard's assets. */
final class Responses {
  private static final String ANSWERED = "marginflow.answered";

  private Responses() {
  }

  static Handler asset(String resource, String type) {
    byte[] body = readResource(resource);
    return ctx -> ctx.contentType(type).result(body);
  }

  static byte[] readResource(String resource) {
    try (InputStream in = Responses.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("missing asset " + resource + " on the class path");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void unlessAnswered(Context ctx, int status, String message) {
    if (ctx.attribute(ANSWERED) == null) {
      error(ctx, status, message);
    }
  }

  static void error(Context ctx, int status, String message) {
    respond(ctx, status, Json.MAPPER.createObjectNode().put("status", status).put("error", message));
  }

  static void respond(Context ctx, int status, JsonNode body) {
    try {
      ctx.attribute(ANSWERED, Boolean.TRUE);
      ctx.status(status).contentType("application/json").result(Json.MAPPER.writeValueAsBytes(body));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

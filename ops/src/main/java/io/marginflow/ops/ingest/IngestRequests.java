package io.marginflow.ops.ingest;

import io.javalin.http.Context;
import io.marginflow.topology.query.Json;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.zip.GZIPInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every ingest endpoint does with a request: checks its bearer token, reads its body (gzip inflated, within the
 * size limit) and content type, answers errors in the query API's shape, and waits for the broker's acks before
 * answering.
 */
final class IngestRequests {
  /** The gateway's logger: these messages read as the gateway's. */
  private static final Logger LOG = LoggerFactory.getLogger(IngestGateway.class);
  private static final String ANSWERED = "marginflow.answered";

  private final Set<String> tokens;
  private final int maxBody;

  /** {@code tokens}: the bearer tokens accepted (none: no token required); {@code maxBody}: bytes, decompressed. */
  IngestRequests(Set<String> tokens, int maxBody) {
    this.tokens = tokens;
    this.maxBody = maxBody;
  }

  /** True when the request may go on; else answers 401 and returns false. */
  boolean authorized(Context ctx) {
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

  /** The request body, inflated when gzip; an unsupported encoding or a body over the limit is an IOException. */
  byte[] body(Context ctx) throws IOException {
    byte[] raw = ctx.bodyAsBytes();
    String encoding = ctx.header("Content-Encoding");
    if (encoding == null || encoding.isBlank() || encoding.equalsIgnoreCase("identity")) {
      return raw;
    }
    if (!encoding.equalsIgnoreCase("gzip")) {
      throw new IOException("unsupported Content-Encoding " + encoding + " (gzip or none)");
    }
    try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(raw))) {
      byte[] out = in.readNBytes(maxBody + 1);
      if (out.length > maxBody) {
        throw new IOException("the decompressed body exceeds the limit of " + maxBody + " bytes");
      }
      return out;
    }
  }

  /** The media type of the request, lower case, without parameters; empty when none. */
  static String contentType(Context ctx) {
    String t = ctx.header("Content-Type");
    return t == null ? "" : t.split(";")[0].trim().toLowerCase(Locale.ROOT);
  }

  /** Waits for the broker's acks; on failure answers 503 with Retry-After (OTLP clients retry it) and returns false. */
  static boolean acknowledged(Context ctx, UsageSink.Batch batch, boolean protobuf) throws InterruptedException {
    try {
      batch.await();
      return true;
    } catch (ExecutionException | TimeoutException e) {
      LOG.warn("Producing to Kafka failed; answering 503 so that the client retries: {}", e.toString());
      ctx.header("Retry-After", "5");
      OtlpResponses.status(ctx, protobuf, 503, "the events could not be stored yet; retry later");
      return false;
    }
  }

  /** The query API's error shape: {"status": 400, "error": "..."}. */
  static void error(Context ctx, int status, String message) {
    ctx.attribute(ANSWERED, Boolean.TRUE);
    ctx.status(status).contentType("application/json").result(Json.MAPPER.createObjectNode().put("status", status)
        .put("error", message == null ? "" : message).toString().getBytes(StandardCharsets.UTF_8));
  }

  /** Whether {@link #error} has answered this request already. */
  static boolean answered(Context ctx) {
    return ctx.attribute(ANSWERED) != null;
  }
}

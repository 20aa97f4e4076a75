package io.marginflow.connectors.alerts;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One POST of an alert, classified: delivered (2xx); retry (429, 408, 5xx, connection errors and timeouts) after the
 * server's Retry-After or an exponential backoff with full jitter; rejected (any other 4xx: the request itself is wrong,
 * repeating it cannot help). The alert_id goes as the Idempotency-Key header, so a receiver can drop a repeat.
 */
final class WebhookDelivery {
  /** What became of one attempt. */
  enum Outcome { DELIVERED, RETRY, REJECTED }

  /** The outcome, how long to wait before the next attempt (RETRY), and what the server said. */
  record Result(Outcome outcome, long waitMs, String detail) {
  }

  private final HttpClient http;
  private final Duration timeout;
  private final long initialBackoffMs;
  private final long maxBackoffMs;

  WebhookDelivery(Duration timeout, long initialBackoffMs, long maxBackoffMs) {
    this.http = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER).build();
    this.timeout = timeout;
    this.initialBackoffMs = initialBackoffMs;
    this.maxBackoffMs = maxBackoffMs;
  }

  Result post(URI url, String body, String alertId, String authorization, int attempt) {
    HttpRequest.Builder b = HttpRequest.newBuilder(url).timeout(timeout).header("Content-Type", "application/json")
        .header("Idempotency-Key", alertId).header("X-Marginflow-Alert-Id", alertId)
        .POST(HttpRequest.BodyPublishers.ofString(body));
    if (authorization != null && !authorization.isBlank()) {
      b.header("Authorization", authorization);
    }
    try {
      HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
      int s = r.statusCode();
      String detail = "HTTP " + s + (r.body().isBlank() ? "" : ": " + abbreviate(r.body()));
      if (s >= 200 && s < 300) {
        return new Result(Outcome.DELIVERED, 0, detail);
      }
      if (s == 429 || s == 408 || s >= 500) {
        long retryAfter = retryAfterMs(r.headers().firstValue("Retry-After").orElse(null), System.currentTimeMillis());
        return new Result(Outcome.RETRY, retryAfter >= 0 ? Math.min(retryAfter, maxBackoffMs) : backoffMs(attempt), detail);
      }
      return new Result(Outcome.REJECTED, 0, detail);
    } catch (IOException e) {
      return new Result(Outcome.RETRY, backoffMs(attempt), e.getClass().getSimpleName() + ": " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Result(Outcome.RETRY, backoffMs(attempt), "interrupted");
    }
  }

  /** Exponential backoff with full jitter: uniform in [0, min(max, initial x 2^attempt)]. */
  long backoffMs(int attempt) {
    long cap = Math.min(maxBackoffMs, initialBackoffMs << Math.min(attempt, 30));
    return ThreadLocalRandom.current().nextLong(cap + 1);
  }

  /** A Retry-After header in ms from now: delta-seconds or an HTTP-date; -1 when absent or unreadable. */
  static long retryAfterMs(String header, long nowMs) {
    if (header == null || header.isBlank()) {
      return -1;
    }
    try {
      return Math.max(0, Long.parseLong(header.trim()) * 1000);
    } catch (NumberFormatException notSeconds) {
      try {
        return Math.max(0, ZonedDateTime.parse(header.trim(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant().toEpochMilli()
            - nowMs);
      } catch (RuntimeException unreadable) {
        return -1;
      }
    }
  }

  private static String abbreviate(String s) {
    return s.length() <= 200 ? s : s.substring(0, 200) + "…";
  }
}

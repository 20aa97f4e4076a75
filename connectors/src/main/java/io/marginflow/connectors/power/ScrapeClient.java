package io.marginflow.connectors.power;

import io.marginflow.connectors.power.PowerSourceConfig.Endpoint;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;

/**
 * Reads the exposition text of the task's endpoints over HTTP: each request with the scrape timeout and the bearer token
 * if one is set, each answer stamped with the time it was read, a failed one with why.
 */
final class ScrapeClient {
  private final PowerSourceConfig config;
  private final LongSupplier clock;
  private final HttpClient http;

  /** One endpoint's answer, read at {@code atMs} (halfway through the request), or why not. */
  record Fetched(String text, long atMs, Throwable error) {
  }

  ScrapeClient(PowerSourceConfig config, LongSupplier clock) {
    this.config = config;
    this.clock = clock;
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(config.scrapeTimeoutMs())).build();
  }

  /** Asks {@code endpoint}; the answer is stamped halfway between sending and receiving it. */
  CompletableFuture<Fetched> fetch(Endpoint endpoint) {
    HttpRequest.Builder request = HttpRequest.newBuilder(endpoint.url())
        .timeout(Duration.ofMillis(config.scrapeTimeoutMs())).header("Accept", "text/plain");
    if (config.bearerToken() != null) {
      request.header("Authorization", "Bearer " + config.bearerToken());
    }
    long sent = clock.getAsLong();
    try {
      return http.sendAsync(request.GET().build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8))
          .handle((response, error) -> {
            long received = clock.getAsLong();
            long at = sent + (received - sent) / 2;
            if (error != null) {
              return new Fetched(null, at, error instanceof CompletionException c
                  && c.getCause() != null ? c.getCause() : error);
            }
            return response.statusCode() == 200 ? new Fetched(response.body(), at, null)
                : new Fetched(null, at, new IOException("HTTP " + response.statusCode()));
          });
    } catch (RuntimeException e) {
      return CompletableFuture.completedFuture(new Fetched(null, sent, e));
    }
  }

  /** Waits until every fetch is answered or has timed out, or until {@code stopSignal} completes. */
  void awaitAll(Collection<CompletableFuture<Fetched>> fetches, CompletableFuture<Void> stopSignal)
      throws InterruptedException {
    CompletableFuture<?> all = CompletableFuture.allOf(fetches.toArray(new CompletableFuture<?>[0]));
    try {
      CompletableFuture.anyOf(all, stopSignal).get(config.scrapeTimeoutMs() + 1_000L,
          TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException e) {
      // a fetch that has not answered by now counts as failed below
    }
  }
}

package io.marginflow.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.locks.LockSupport;

/** The budget endpoint's latency as a gateway's pre-call check sees it: requests back to back on one connection. */
final class BudgetLatency {
  private BudgetLatency() {
  }

  /** 500 requests back to back on one keep-alive connection, after 100 unmeasured ones; latencies in µs, sorted. */
  static long[] measure(String url, String token) throws Exception {
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    HttpRequest req = HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token).build();
    // The tenant's period state is queryable once its partition has committed a request of it (and not while a
    // rebalance moves it): wait for a first answer before measuring.
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (http.send(req, HttpResponse.BodyHandlers.discarding()).statusCode() != 200) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the budget endpoint did not answer 200 within 60 s");
      }
      LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
    }
    long[] out = new long[500];
    for (int i = -100; i < out.length; i++) {
      long t0 = System.nanoTime();
      HttpResponse<byte[]> r = http.send(req, HttpResponse.BodyHandlers.ofByteArray());
      if (r.statusCode() != 200) {
        throw new IllegalStateException("budget endpoint answered " + r.statusCode());
      }
      if (i >= 0) {
        out[i] = (System.nanoTime() - t0) / 1000;
      }
    }
    Arrays.sort(out);
    return out;
  }
}

package io.marginflow.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.marginflow.ops.demo.Demo;
import io.marginflow.ops.demo.DemoOptions;
import io.marginflow.topology.query.Json;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.locks.LockSupport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code bench http}: latency and throughput of the query API on keep-alive connections (1 and 16 of them), for the
 * budget (a gateway's pre-call check) and the top-N endpoints, while the pipeline runs: the demo's embedded broker,
 * registry, pipeline and live load generator in this JVM.
 */
@Command(name = "http", mixinStandardHelpOptions = true,
    description = {"Query API latency (p50, p99) and requests/s on keep-alive connections, 1 and 16 of them, for the budget",
        "and top-N endpoints, while the pipeline computes live load. Ends with one JSON line."})
final class HttpBench implements Callable<Integer> {

  @Spec
  private CommandSpec spec;

  @Option(names = "--seconds", defaultValue = "10", description = "Measured seconds per case (default: ${DEFAULT-VALUE}).")
  private int seconds;

  @Option(names = "--warmup-seconds", defaultValue = "3", description = "Unmeasured seconds before each case "
      + "(default: ${DEFAULT-VALUE}).")
  private int warmupSeconds;

  @Option(names = "--target", description = "Measure this running instance (e.g. http://localhost:8080) instead of "
      + "starting the embedded pipeline with live load.")
  private String target;

  @Option(names = "--token", description = "Admin bearer token of --target (the demo prints its own; required with "
      + "--target).")
  private String token;

  @Option(names = "--connections", split = ",", defaultValue = "1,16",
      description = "Keep-alive connection counts to measure (default: ${DEFAULT-VALUE}).")
  private List<Integer> connections;

  /** One measured case: an endpoint on a number of connections. */
  record Result(String endpoint, int connections, long requests, double seconds, double p50Ms, double p99Ms, long errors) {
    double perSecond() {
      return requests / seconds;
    }
  }

  @Override
  public Integer call() throws Exception {
    if (target != null) {
      if (token == null) {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(),
            "--target needs --token: the admin token the instance accepts (bin/marginflow demo prints its own)");
      }
      return measure(target.replaceAll("/+$", ""));
    }
    return BenchWorkDir.run("http", this::againstDemo);
  }

  private Integer againstDemo(Path state) throws Exception {
    DemoOptions options = new DemoOptions(state.resolve("demo"), 0, 0, 0, Duration.ofHours(2), 60, 20, 8, 1, 10, true,
        Duration.ofDays(1));
    token = options.adminToken();
    try (Demo demo = Demo.start(options, new PrintStream(OutputStream.nullOutputStream()))) {
      return measure("http://localhost:" + demo.httpPort());
    }
  }

  private int measure(String base) throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    awaitFigures(base);
    List<Result> results = new ArrayList<>();
    for (String endpoint : List.of("/v1/tenants/tenant-001/budget", "/v1/tenants?window=1h&limit=20")) {
      for (int n : connections) {
        run(base + endpoint, n, warmupSeconds);
        Result r = run(base + endpoint, n, seconds);
        results.add(new Result(endpoint, n, r.requests(), r.seconds(), r.p50Ms(), r.p99Ms(), r.errors()));
        out.printf("%-36s %3d conn  %8.0f req/s  p50 %6.2f ms  p99 %6.2f ms  errors %d%n", endpoint, n, r.perSecond(),
            r.p50Ms(), r.p99Ms(), r.errors());
        out.flush();
      }
    }
    out.println(json(results));
    out.flush();
    return results.stream().anyMatch(r -> r.errors() > 0) ? 1 : 0;
  }

  /** Waits until the pipeline has final figures, so the queries read real state. */
  private void awaitFigures(String base) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
    while (System.nanoTime() < deadline) {
      HttpResponse<String> r = http.send(request(base + "/v1/status"), HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() == 200 && Json.MAPPER.readTree(r.body()).path("as_of_ms").asLong(-1) > 0) {
        return;
      }
      LockSupport.parkNanos(Duration.ofMillis(200).toNanos());
    }
    throw new IllegalStateException("the pipeline produced no final figures within 3 minutes");
  }

  private HttpRequest request(String url) {
    return HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token).build();
  }

  /** {@code n} clients, each with one keep-alive connection, sending requests back to back for {@code seconds}. */
  private Result run(String url, int n, int seconds) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(n);
    long end = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
    List<Future<long[]>> futures = new ArrayList<>();
    long started = System.nanoTime();
    for (int c = 0; c < n; c++) {
      futures.add(pool.submit(() -> oneConnection(url, end)));
    }
    List<long[]> all = new ArrayList<>();
    for (Future<long[]> f : futures) {
      all.add(f.get());
    }
    double elapsed = (System.nanoTime() - started) / 1e9;
    pool.shutdown();
    long errors = all.stream().mapToLong(a -> a[0]).sum();
    long[] latencies = all.stream().flatMapToLong(a -> Arrays.stream(a, 1, a.length)).sorted().toArray();
    return new Result(url, n, latencies.length, elapsed, percentile(latencies, 0.50), percentile(latencies, 0.99), errors);
  }

  /** Latencies in ns of one connection's requests; element 0 counts the non-200 answers. */
  private long[] oneConnection(String url, long endNanos) throws Exception {
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    HttpRequest request = request(url);
    long[] out = new long[1 << 16];
    int count = 1;
    while (System.nanoTime() < endNanos) {
      long t0 = System.nanoTime();
      HttpResponse<byte[]> r = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
      long took = System.nanoTime() - t0;
      if (r.statusCode() != 200) {
        out[0]++;
      }
      if (count == out.length) {
        out = Arrays.copyOf(out, out.length * 2);
      }
      out[count++] = took;
    }
    return Arrays.copyOf(out, count);
  }

  private static double percentile(long[] sorted, double q) {
    return sorted.length == 0 ? Double.NaN : sorted[(int) Math.min(sorted.length - 1, Math.floor(q * sorted.length))] / 1e6;
  }

  private static String json(List<Result> results) throws Exception {
    ObjectNode root = Json.MAPPER.createObjectNode().put("bench", "http");
    for (Result r : results) {
      String key = (r.endpoint().contains("/budget") ? "budget" : "top_n") + "_" + r.connections() + "conn";
      root.put(key + "_rps", Math.round(r.perSecond())).put(key + "_p50_ms", round(r.p50Ms()))
          .put(key + "_p99_ms", round(r.p99Ms()));
    }
    return Json.MAPPER.writeValueAsString(root);
  }

  private static double round(double ms) {
    return Math.round(ms * 1000) / 1000.0;
  }
}

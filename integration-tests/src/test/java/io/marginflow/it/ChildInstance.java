package io.marginflow.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * {@code marginflow run} (or {@code connect}) as a child JVM on the test's classpath, the way an operator runs it: a
 * settings file, its own log, a query API (the worker's REST API) on a fixed port. Killed with SIGKILL ({@link
 * #kill()}) or stopped with SIGTERM ({@link #stop()}).
 */
final class ChildInstance implements AutoCloseable {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final Process process;
  private final Path log;
  private final int port;
  private final String readyPath;
  private final long startedNanos = System.nanoTime();

  private ChildInstance(Process process, Path log, int port, String readyPath) {
    this.process = process;
    this.log = log;
    this.port = port;
    this.readyPath = readyPath;
  }

  /** Starts {@code marginflow run} with {@code settings} (http.port is set here); output goes to {@code log}. */
  static ChildInstance start(Map<String, String> settings, Path dir, Path log) throws IOException {
    int port = freePort();
    Properties p = new Properties();
    p.putAll(settings);
    p.setProperty("http.port", String.valueOf(port));
    p.putIfAbsent("http.tokens", "it-admin=admin");
    Files.createDirectories(dir);
    Path file = Files.createTempFile(dir, "run-", ".properties");
    try (var w = Files.newBufferedWriter(file)) {
      p.store(w, "ChildInstance");
    }
    return launch(List.of("run", "--config", file.toString()), port, "/health/ready", log);
  }

  /**
   * Starts {@code marginflow connect} with {@code args} and its REST API on a free port (ready once GET /connectors
   * answers 200); output goes to {@code log}.
   */
  static ChildInstance connect(List<String> args, Path log) throws IOException {
    int port = freePort();
    List<String> cli = new ArrayList<>(List.of("connect", "--rest-port", String.valueOf(port)));
    cli.addAll(args);
    return launch(cli, port, "/connectors", log);
  }

  private static ChildInstance launch(List<String> cli, int port, String readyPath, Path log) throws IOException {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx512m", "-XX:TieredStopAtLevel=1",
        // The Iceberg sink's commit coordinator says what it commits and who leads: worth having when a test fails.
        "-Dorg.slf4j.simpleLogger.log.org.apache.iceberg.connect=info",
        "-cp", System.getProperty("java.class.path"), "io.marginflow.ops.cli.MarginflowCli"));
    command.addAll(cli);
    Process process = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    return new ChildInstance(process, log, port, readyPath);
  }

  /**
   * Waits until the child is ready (run: /health/ready answers 200, Kafka Streams RUNNING; connect: its REST API
   * answers); returns the seconds since this child started.
   */
  double awaitReady(Duration timeout) {
    Records.await(timeout, "child instance ready on port " + port + " (log " + log + ")", () -> {
      if (!process.isAlive()) {
        throw new AssertionError("child instance exited with " + process.exitValue() + "; log " + log + ", ending:\n"
            + tail(log, 30));
      }
      return ready();
    });
    return (System.nanoTime() - startedNanos) / 1e9;
  }

  private boolean ready() {
    try {
      HttpResponse<Void> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + readyPath))
          .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding());
      return r.statusCode() == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** SIGKILL: no shutdown hook, no flush, no checkpoint, an open transaction left to the broker to abort. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      throw new AssertionError("child did not die");
    }
  }

  /** SIGTERM, the way a supervisor stops it: the shutdown hook closes Kafka Streams cleanly. */
  int stop() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("child did not stop within 60 s after SIGTERM; log " + log);
    }
    return process.exitValue();
  }

  boolean alive() {
    return process.isAlive();
  }

  int port() {
    return port;
  }

  Path log() {
    return log;
  }

  @Override
  public void close() {
    process.destroyForcibly();
  }

  private static String tail(Path file, int lines) {
    try {
      List<String> all = Files.readAllLines(file);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(unreadable: " + e.getMessage() + ")";
    }
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

package io.marginflow.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Runs node scripts from {@code src/test/node}, installing its npm packages first when they are missing.
 * Without node the test is skipped, except in CI (CI=true), where a missing toolchain is a failure.
 */
final class NodeRunner {
  private final Path dir;

  private NodeRunner(Path dir) {
    this.dir = dir;
  }

  static NodeRunner prepare(Path dir, String... requiredPackages) throws IOException, InterruptedException {
    boolean ci = "true".equalsIgnoreCase(System.getenv("CI"));
    if (!available("node")) {
      if (ci) {
        throw new AssertionError("node is required in CI for the registry interop test but is not on the PATH");
      }
      Assumptions.abort("node is not installed: Confluent client interop test skipped");
    }
    NodeRunner runner = new NodeRunner(dir);
    if (java.util.Arrays.stream(requiredPackages).anyMatch(p -> !Files.isDirectory(dir.resolve("node_modules").resolve(p)))) {
      runner.run(List.of("npm", "ci", "--no-audit", "--no-fund"), 600);
    }
    return runner;
  }

  private static boolean available(String command) {
    try {
      Process p = new ProcessBuilder(command, "--version").redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Runs {@code node script args...} and returns its standard output, trimmed; fails with its stderr. */
  String node(String script, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("node", script));
    command.addAll(List.of(args));
    return run(command, 120);
  }

  private String run(List<String> command, int timeoutSeconds) throws IOException, InterruptedException {
    Path err = Files.createTempFile("node-stderr", ".txt");
    try {
      Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectError(err.toFile()).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError(command + " did not finish within " + timeoutSeconds + " s");
      }
      if (p.exitValue() != 0) {
        throw new AssertionError(command + " exited " + p.exitValue() + ":\n" + Files.readString(err));
      }
      return out.trim();
    } finally {
      Files.deleteIfExists(err);
    }
  }
}

package io.marginflow.bench;

import io.marginflow.ops.FileTrees;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * A bench's scratch directory (embedded broker, registry, state) with the bench's log in it. Deleted when the bench
 * ends; when it fails, the log's last warnings and errors are printed first: the broker's and clients' own account of
 * what went wrong, which would otherwise go with the directory.
 */
final class BenchWorkDir {
  private static final int HEAD_LINES = 20;
  private static final int TAIL_LINES = 40;

  private BenchWorkDir() {
  }

  interface Body {
    Integer call(Path dir) throws Exception;
  }

  static Integer run(String bench, Body body) throws Exception {
    Path dir = Files.createTempDirectory("marginflow-bench-" + bench + "-");
    Path log = dir.resolve("bench.log");
    System.setProperty("org.slf4j.simpleLogger.logFile", log.toString());
    boolean ok = false;
    try {
      Integer rc = body.call(dir);
      ok = true;
      return rc;
    } finally {
      if (!ok) {
        printWarnings(bench, log, System.err);
      }
      String keep = System.getenv("MARGINFLOW_BENCH_LOG");
      if (keep != null && !keep.isBlank() && Files.isRegularFile(log)) {
        // For profiling and diagnosis: the pipeline's log, kept where the caller asked.
        Files.copy(log, Path.of(keep), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
      FileTrees.deleteRecursively(dir);
    }
  }

  private static void printWarnings(String bench, Path log, PrintStream err) {
    if (!Files.isRegularFile(log)) {
      return;
    }
    try (Stream<String> lines = Files.lines(log, StandardCharsets.UTF_8)) {
      List<String> warnings = lines.filter(l -> l.contains(" WARN ") || l.contains(" ERROR ")).toList();
      // The first ones say what started it; the last ones what it ended in.
      int head = Math.min(HEAD_LINES, warnings.size());
      int tail = Math.min(TAIL_LINES, warnings.size() - head);
      err.printf("bench %s failed; the first %d and last %d of its log's %d warnings and errors:%n", bench, head, tail,
          warnings.size());
      warnings.subList(0, head).forEach(err::println);
      if (head + tail < warnings.size()) {
        err.println("...");
      }
      warnings.subList(warnings.size() - tail, warnings.size()).forEach(err::println);
    } catch (IOException | java.io.UncheckedIOException e) {
      err.println("bench " + bench + " failed; its log could not be read: " + e.getMessage());
    }
  }
}

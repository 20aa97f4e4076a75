package io.marginflow.ops;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Scratch folders and removing state folders (demo --reset, replay work folders, test brokers). */
public final class FileTrees {
  /**
   * The system property naming where replays and backtests put their scratch broker and state (default: the JVM's
   * temp folder, {@code java.io.tmpdir}); the test suite points it at a RAM file system when the machine has one.
   */
  public static final String SCRATCH_DIR_PROPERTY = "marginflow.scratch.dir";

  private FileTrees() {
  }

  /** A new empty folder for one run's scratch state, under {@link #SCRATCH_DIR_PROPERTY} or the temp folder. */
  public static Path scratch(String prefix) throws IOException {
    String root = System.getProperty(SCRATCH_DIR_PROPERTY, "");
    return root.isBlank() ? Files.createTempDirectory(prefix) : Files.createTempDirectory(Path.of(root), prefix);
  }

  /** Deletes {@code dir} and everything below it; nothing when it does not exist. */
  public static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}

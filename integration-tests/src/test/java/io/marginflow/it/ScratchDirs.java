package io.marginflow.it;

import io.marginflow.ops.FileTrees;
import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.AnnotatedElementContext;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.io.TempDirFactory;

/**
 * Where the ITs keep brokers' logs and Kafka Streams state: on a RAM file system ({@code /dev/shm}, tmpfs) when the
 * machine has one with room, else in the temp folder. The tests kill processes, never the machine, so nothing they
 * check depends on a disk; what a disk file system adds is kernel time: opening a RocksDB store creates and syncs its
 * files, and ext4's inode allocation after many deletions was the largest part of the suite's system CPU (a rebalance
 * IT: 80 s -> 66 s on tmpfs). {@code -Dmarginflow.it.ram=false} keeps everything on disk. Every {@code @TempDir}
 * comes from here (junit-platform.properties), and in-process replays and backtests follow through
 * {@link FileTrees#SCRATCH_DIR_PROPERTY}.
 */
public final class ScratchDirs implements TempDirFactory {
  /** Room a RAM file system must have left for the suite to use it (the largest IT keeps well under 1 GB). */
  private static final long MIN_FREE_BYTES = 4L << 30;
  private static final Path RAM = Path.of("/dev/shm");
  private static final Path ROOT = pickRoot();

  static {
    if (ROOT != null && System.getProperty(FileTrees.SCRATCH_DIR_PROPERTY) == null) {
      System.setProperty(FileTrees.SCRATCH_DIR_PROPERTY, ROOT.toString());
    }
  }

  @Override
  public Path createTempDirectory(AnnotatedElementContext element, ExtensionContext context) throws IOException {
    return newDirectory("junit-");
  }

  /** A new empty folder under the suite's scratch root. */
  public static Path newDirectory(String prefix) throws IOException {
    return ROOT == null ? Files.createTempDirectory(prefix) : Files.createTempDirectory(ROOT, prefix);
  }

  private static Path pickRoot() {
    if (!Boolean.parseBoolean(System.getProperty("marginflow.it.ram", "true")) || !Files.isDirectory(RAM)
        || !Files.isWritable(RAM)) {
      return null;
    }
    try {
      FileStore store = Files.getFileStore(RAM);
      return "tmpfs".equals(store.type()) && store.getUsableSpace() >= MIN_FREE_BYTES ? RAM : null;
    } catch (IOException e) {
      return null;
    }
  }
}

package io.marginflow.topology.app;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Remembers whether the last run on a state directory stopped cleanly: a marker file exists from start until a clean
 * close. Found at start-up, it means the process died (SIGKILL, OOM, power loss) or its Kafka Streams client failed.
 *
 * <p>Why it matters (docs/RELIABILITY.md): under exactly-once, every RocksDB store left open by a crash is invalid and
 * Kafka Streams wipes and restores it. For a segmented window store it does so badly in Kafka 4.3/4.4: the segments
 * are opened one by one and the first invalid one throws {@code TaskCorruptedException} before the store is
 * registered, so the segments opened before it stay open, their RocksDB locks held by this process; every later
 * attempt to open them fails with "lock hold by current process" and the stream threads die one after the other.
 * Global stores left open by a crash loop the same way (KAFKA-21034). Wiping the local state before Kafka Streams
 * opens any of it gives the outcome Kafka Streams intends (every store restored from its changelog) without the leak.
 * Under at-least-once Kafka Streams keeps dirty stores, and so does this guard.
 */
final class UncleanStopGuard {
  private static final Logger LOG = LoggerFactory.getLogger(UncleanStopGuard.class);
  private final Path marker;

  UncleanStopGuard(Path stateDir, String applicationId) {
    this.marker = stateDir.resolve("." + applicationId + ".running");
  }

  /** Whether the previous run on this state directory did not stop cleanly. */
  boolean previousRunUnclean() {
    return Files.exists(marker);
  }

  /** Marks this run as started; call once the state directory is in the shape the run starts from. */
  void started() {
    try {
      Files.createDirectories(marker.getParent());
      Files.writeString(marker, "started " + Instant.now() + " pid " + ProcessHandle.current().pid() + "\n");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + marker, e);
    }
  }

  /** Marks this run as stopped cleanly: the next start keeps the local state. */
  void stoppedCleanly() {
    try {
      Files.deleteIfExists(marker);
    } catch (IOException e) {
      LOG.warn("Could not remove {}; the next start will restore state from the changelogs", marker, e);
    }
  }

  Path marker() {
    return marker;
  }
}

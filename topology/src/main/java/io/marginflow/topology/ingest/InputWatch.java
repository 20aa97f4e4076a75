package io.marginflow.topology.ingest;

import io.marginflow.topology.metrics.PipelineMetrics;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One input partition's stream time against the wall clock: when a record last arrived (for watermark.idle-timeout),
 * the watermark lag gauge, and the stall warning. A partition whose stream time stands still holds every window open
 * downstream (the low watermark waits for it): it is said once, naming it, when it has not advanced for
 * watermark.stall-warning, and again when it moves.
 */
final class InputWatch {
  private static final Logger LOG = LoggerFactory.getLogger(IngestProcessor.class);
  private final String name;
  private final long stallWarningMs;
  private final PipelineMetrics metrics;
  /** This partition's slot in the watermark lag gauge (a throwaway one outside the app). */
  private final AtomicLong lagSlot;
  private long lastActivityWallMs;
  private long lastAdvanceWallMs;
  private boolean stalled;

  InputWatch(String name, long stallWarningMs, PipelineMetrics metrics, AtomicLong lagSlot, long nowMs, long streamTime) {
    this.name = name;
    this.stallWarningMs = stallWarningMs;
    this.metrics = metrics;
    this.lagSlot = lagSlot;
    this.lastActivityWallMs = nowMs;
    this.lastAdvanceWallMs = nowMs;
    lagSlot.set(streamTime);
  }

  /** A record (valid or not) arrived at wall-clock {@code nowMs}. */
  void activity(long nowMs) {
    lastActivityWallMs = nowMs;
  }

  /** Whether no record arrived after wall-clock {@code sinceMs}. */
  boolean silentSince(long sinceMs) {
    return lastActivityWallMs <= sinceMs;
  }

  /** The stream time moved to {@code streamTime} at wall-clock {@code nowMs}. */
  void advanced(long nowMs, long streamTime) {
    lastAdvanceWallMs = nowMs;
    if (stalled) {
      stalled = false;
      LOG.info("Input partition {} advances again (stream time {})", name, Instant.ofEpochMilli(streamTime));
    }
    lagSlot.set(streamTime);
  }

  void warnIfStalled(long nowMs, long streamTime) {
    if (!stalled && nowMs - lastAdvanceWallMs >= stallWarningMs) {
      stalled = true;
      metrics.count("stalled");
      LOG.warn("Input partition {} has not advanced for {} s: its stream time is stuck at {}, and every window after "
          + "it waits for it. Is its producer down, or not sending tick records to this partition?", name,
          (nowMs - lastAdvanceWallMs) / 1000, streamTime == Long.MIN_VALUE ? "nothing yet" : Instant.ofEpochMilli(streamTime));
    }
  }
}

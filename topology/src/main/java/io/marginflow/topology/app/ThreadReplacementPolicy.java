package io.marginflow.topology.app;

import java.util.ArrayDeque;
import java.util.Deque;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Replaces a stream thread that died of an unexpected error, at most {@code maxReplacements} times within
 * {@code windowMs}; beyond that budget the error is not transient, and the client shuts down.
 */
public final class ThreadReplacementPolicy implements StreamsUncaughtExceptionHandler {
  private static final Logger LOG = LoggerFactory.getLogger(ThreadReplacementPolicy.class);
  private final int maxReplacements;
  private final long windowMs;
  private final Deque<Long> recent = new ArrayDeque<>();

  public ThreadReplacementPolicy(int maxReplacements, long windowMs) {
    this.maxReplacements = maxReplacements;
    this.windowMs = windowMs;
  }

  @Override
  public synchronized StreamThreadExceptionResponse handle(Throwable exception) {
    long now = System.currentTimeMillis();
    while (!recent.isEmpty() && recent.peekFirst() < now - windowMs) {
      recent.pollFirst();
    }
    if (recent.size() < maxReplacements) {
      recent.addLast(now);
      LOG.error("Stream thread failed; replacing it ({} of {} within {} ms)", recent.size(), maxReplacements, windowMs,
          exception);
      return StreamThreadExceptionResponse.REPLACE_THREAD;
    }
    LOG.error("Stream thread failed again beyond the replacement budget; shutting down", exception);
    return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
  }
}

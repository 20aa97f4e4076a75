package io.marginflow.ops.replay;

import io.marginflow.topology.config.TopologyConfig;
import io.marginflow.topology.config.WindowSpec;
import java.time.Duration;

/**
 * How far past a scenario's last event the closing ticks go so that every window holding it closes (the largest
 * window, the grace, two buckets of slack), and whether the wall clock lets the pipeline accept them: ticks more
 * than ingest.max-future-skew ahead of it are ignored.
 */
public record ClosingTicks(long afterMs, long maxFutureSkewMs) {

  public static ClosingTicks of(TopologyConfig shape) {
    long maxWindow = shape.windows().stream().mapToLong(WindowSpec::sizeMs).max().orElse(0);
    return new ClosingTicks(maxWindow + shape.graceMs() + 2 * shape.bucketMs(), shape.maxFutureSkewMs());
  }

  /** Fails when a scenario ending at {@code lastEventMs} is too recent for its windows to close now. */
  public void requireClosable(long lastEventMs, long nowMs) {
    if (lastEventMs != Long.MIN_VALUE && lastEventMs + afterMs > nowMs + maxFutureSkewMs) {
      throw new IllegalStateException("The scenario ends less than " + Duration.ofMillis(afterMs)
          + " ago: its windows cannot close before the wall clock gets there (use --no-close to leave them open)");
    }
  }
}

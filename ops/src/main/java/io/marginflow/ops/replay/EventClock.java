package io.marginflow.ops.replay;

import io.marginflow.topology.domain.Validation;

/**
 * One scenario file's time while it is produced: the greatest plausible event time so far, and when its topic's
 * partitions were last ticked. Ticks every partition once that time has moved {@code tickIntervalMs} past the last tick.
 */
final class EventClock {
  private final InputSender sender;
  private final String topic;
  private final int partitions;
  private final long nowMs;
  private final long tickIntervalMs;
  private long max = Long.MIN_VALUE;
  private long lastTick = Long.MIN_VALUE;

  EventClock(InputSender sender, String topic, long nowMs, long tickIntervalMs) {
    this.sender = sender;
    this.topic = topic;
    this.partitions = sender.partitions(topic);
    this.nowMs = nowMs;
    this.tickIntervalMs = tickIntervalMs;
  }

  /** An event at {@code ts} was produced; times before SPEC 2's minimum or after now do not move the clock. */
  void observe(long ts) {
    if (ts <= Validation.MIN_TIMESTAMP_MS || ts > nowMs) {
      return;
    }
    max = Math.max(max, ts);
    if (lastTick == Long.MIN_VALUE || max - lastTick >= tickIntervalMs) {
      tickAll(max);
    }
  }

  void tickAll(long ts) {
    sender.tickAll(topic, partitions, ts);
    lastTick = ts;
  }

  /** The greatest plausible event time observed, Long.MIN_VALUE when none. */
  long max() {
    return max;
  }
}

package io.marginflow.connectors.power;

import io.marginflow.connectors.power.GpuReadings.Reading;

/**
 * Turns successive scrapes of one GPU into SPEC 1 power samples over [previous scrape, this scrape). The energy counter
 * integrates exactly: average watts = joules consumed / seconds elapsed, whatever the exporter's own sampling. When the
 * counter went backwards (driver reload, exporter restart) or is absent, the power gauge stands in for the interval; with
 * neither, the interval is skipped and counted. Never a negative or doubled energy.
 *
 * <p>A stale reading (the exporter served the same values again: dcgm-exporter refreshes every 30 s by default, and a
 * faster scrape sees an energy counter that has not moved while its gauge says the GPU draws power; or the same sample
 * timestamp twice) produces no sample and keeps the older mark, so that the next fresh reading spreads its energy over
 * the whole time since the last change instead of 0 W and then double. A counter still unmoved after
 * {@link #STALE_HOLD_MS} is taken at its word (the GPU drew nothing).
 */
public final class EnergyIntegrator {
  /** SPEC 1's longest interval: a longer gap (an outage) is skipped, not smeared over an hour. */
  public static final long MAX_INTERVAL_MS = 3_600_000L;

  private EnergyIntegrator() {
  }

  /** Where the last scrape left a GPU: its counter in joules (null without one) and when it was read. */
  public record Mark(Double energyJoules, long atMs) {
  }

  /** The longest a stale reading holds its mark back: four scrapes at a 30 s refresh. */
  public static final long STALE_HOLD_MS = 120_000L;
  /** A gauge above this (watts) says the GPU draws power: an unmoved counter beside it is stale. */
  static final double STALE_MIN_WATTS = 1.0;

  /** Why an interval produced no sample. */
  public enum Skip { FIRST_SCRAPE, CLOCK_WENT_BACK, STALE, GAP, COUNTER_RESET, NO_POWER }

  /** The sample over the interval (null when skipped, with the reason), the counter reset seen, and the new mark. */
  public record Step(Interval sample, Skip skipped, boolean counterReset, Mark mark) {
  }

  /** Average power over [startMs, startMs + intervalMs). */
  public record Interval(long startMs, long intervalMs, double avgPowerWatts, Double utilization) {
  }

  public static Step step(Mark last, Reading now, long nowMs) {
    Mark mark = new Mark(now.energyJoules(), nowMs);
    if (last == null) {
      return new Step(null, Skip.FIRST_SCRAPE, false, mark);
    }
    long dt = nowMs - last.atMs();
    if (dt <= 0) {
      // Keep the older mark: the next scrape integrates from it. The same sample time twice is a stale reading.
      return new Step(null, dt == 0 ? Skip.STALE : Skip.CLOCK_WENT_BACK, false, last);
    }
    if (stale(last, now, dt)) {
      return new Step(null, Skip.STALE, false, last);
    }
    if (dt > MAX_INTERVAL_MS) {
      return new Step(null, Skip.GAP, false, mark);
    }
    boolean reset = now.energyJoules() != null && last.energyJoules() != null && now.energyJoules() < last.energyJoules();
    Double watts = watts(last, now, dt, reset);
    if (watts == null) {
      return new Step(null, reset ? Skip.COUNTER_RESET : Skip.NO_POWER, reset, mark);
    }
    return new Step(new Interval(last.atMs(), dt, watts, now.utilization()), null, reset, mark);
  }

  /** An energy counter that has not moved while the gauge says the GPU draws power, within the hold time. */
  private static boolean stale(Mark last, Reading now, long dt) {
    return dt <= STALE_HOLD_MS && now.energyJoules() != null && now.energyJoules().equals(last.energyJoules())
        && now.powerWatts() != null && now.powerWatts() > STALE_MIN_WATTS;
  }

  /** Average watts from the counter, else the gauge (after a reset or without a counter), else null. */
  private static Double watts(Mark last, Reading now, long dt, boolean reset) {
    if (now.energyJoules() != null && last.energyJoules() != null && !reset) {
      return (now.energyJoules() - last.energyJoules()) * 1000.0 / dt;
    }
    return now.powerWatts() != null && now.powerWatts() >= 0 ? now.powerWatts() : null;
  }
}

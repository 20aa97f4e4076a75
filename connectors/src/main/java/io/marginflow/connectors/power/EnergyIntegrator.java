package io.marginflow.connectors.power;

import io.marginflow.connectors.power.GpuReadings.Reading;

/**
 * Turns successive scrapes of one GPU into SPEC 1 power samples over [previous scrape, this scrape). The energy counter
 * integrates exactly: average watts = joules consumed / seconds elapsed, whatever the exporter's own sampling. When the
 * counter went backwards (driver reload, exporter restart) or is absent, the power gauge stands in for the interval; with
 * neither, the interval is skipped and counted. Never a negative or doubled energy.
 */
public final class EnergyIntegrator {
  /** SPEC 1's longest interval: a longer gap (an outage) is skipped, not smeared over an hour. */
  public static final long MAX_INTERVAL_MS = 3_600_000L;

  private EnergyIntegrator() {
  }

  /** Where the last scrape left a GPU: its counter in joules (null without one) and when it was read. */
  public record Mark(Double energyJoules, long atMs) {
  }

  /** Why an interval produced no sample. */
  public enum Skip { FIRST_SCRAPE, CLOCK_WENT_BACK, GAP, COUNTER_RESET, NO_POWER }

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
      // Keep the older mark: the next scrape integrates from it.
      return new Step(null, Skip.CLOCK_WENT_BACK, false, last);
    }
    if (dt > MAX_INTERVAL_MS) {
      return new Step(null, Skip.GAP, false, mark);
    }
    boolean reset = now.energyJoules() != null && last.energyJoules() != null && now.energyJoules() < last.energyJoules();
    Double watts;
    if (now.energyJoules() != null && last.energyJoules() != null && !reset) {
      watts = (now.energyJoules() - last.energyJoules()) * 1000.0 / dt;
    } else {
      watts = now.powerWatts() != null && now.powerWatts() >= 0 ? now.powerWatts() : null;
    }
    if (watts == null) {
      return new Step(null, reset ? Skip.COUNTER_RESET : Skip.NO_POWER, reset, mark);
    }
    return new Step(new Interval(last.atMs(), dt, watts, now.utilization()), null, reset, mark);
  }
}

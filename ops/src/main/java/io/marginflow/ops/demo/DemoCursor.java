package io.marginflow.ops.demo;

import io.marginflow.ops.scenario.LiveLoad;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The demo's event time: how far the live load has got, in 15 s steps, saved in the state folder after each move so
 * that a restart goes on from there instead of generating the lookback again.
 */
final class DemoCursor {
  /** One step of the live load, and the interval of the producer's ticks. */
  static final long STEP_MS = 15_000;

  private final Path file;
  private volatile long position;

  private DemoCursor(Path file, long position) {
    this.file = file;
    this.position = position;
  }

  /** The saved cursor of {@code o}'s state folder or {@code o.lookback()} before {@code nowMs}, whichever is later. */
  static DemoCursor open(DemoOptions o, long nowMs) throws IOException {
    Path file = o.stateDir().resolve("event-cursor");
    long cursor = Math.floorDiv(nowMs - o.lookback().toMillis(), STEP_MS) * STEP_MS;
    if (Files.exists(file)) {
      cursor = Math.max(cursor, Long.parseLong(Files.readString(file).trim()));
    }
    return new DemoCursor(file, cursor);
  }

  /** Event time the live load has reached (epoch milliseconds). */
  long position() {
    return position;
  }

  /** Steps {@code load} into {@code sink} while a whole step fits before {@code targetMs}, then saves the cursor. */
  void advanceTo(long targetMs, LiveLoad load, LiveLoad.Sink sink) throws IOException {
    while (position + STEP_MS <= targetMs) {
      position = load.step(position, sink);
    }
    Files.writeString(file, Long.toString(position), StandardCharsets.UTF_8);
  }
}

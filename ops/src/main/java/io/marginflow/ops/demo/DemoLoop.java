package io.marginflow.ops.demo;

import io.marginflow.ops.scenario.LiveLoad;
import java.io.IOException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The demo's live load on its scheduler: every 250 ms event time moves on from the cursor at {@code speed}x the wall
 * clock until it is a second behind the wall clock, and then follows it; the live table is printed every
 * {@code printEvery}.
 */
final class DemoLoop {
  /** The demo's logger: a failed step reads as the demo's. */
  private static final Logger LOG = LoggerFactory.getLogger(Demo.class);

  private final DemoCursor cursor;
  private final CountDownLatch caughtUp = new CountDownLatch(1);

  DemoLoop(DemoCursor cursor) {
    this.cursor = cursor;
  }

  /** Schedules the steps of {@code load} into {@code sink}, and {@code console}'s table. */
  void start(ScheduledExecutorService scheduler, DemoOptions options, LiveLoad load, LiveLoad.Sink sink,
      DemoConsole console) {
    long wallStart = System.currentTimeMillis();
    long eventStart = cursor.position();
    scheduler.scheduleWithFixedDelay(() -> {
      try {
        long now = System.currentTimeMillis();
        long target = Math.min(eventStart + (long) ((now - wallStart) * options.speed()), now - 1_000);
        if (target == now - 1_000) {
          caughtUp.countDown();
        }
        cursor.advanceTo(target, load, sink);
      } catch (IOException | RuntimeException e) {
        LOG.error("Load generator step failed; it is generated again", e);
      }
    }, 0, 250, TimeUnit.MILLISECONDS);
    scheduler.scheduleWithFixedDelay(() -> console.print(cursor.position()), options.printEvery().toMillis(),
        options.printEvery().toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Waits until event time has caught up with the wall clock. */
  void awaitCaughtUp() throws InterruptedException {
    caughtUp.await();
  }
}

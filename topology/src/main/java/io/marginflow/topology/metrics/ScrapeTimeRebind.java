package io.marginflow.topology.metrics;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The scheduler handed to Micrometer's Kafka binders, which rebinds Kafka's metrics when /metrics is read instead of
 * on a timer. Kafka's metrics come and go with tasks and stores, so the binder re-walks all of them (thousands:
 * RocksDB's per store and task) each refresh; on a 5-second timer that was 9 % of a busy instance's CPU whether or
 * not anything read the figures. Here a refresh runs on the scraping thread, just before the scrape, at most once
 * per {@code minInterval}: a scrape sees every meter that existed when it began, an instance nobody scrapes spends
 * nothing. The refresh the binder asks for is recorded, not scheduled.
 */
public final class ScrapeTimeRebind extends ScheduledThreadPoolExecutor {
  private final List<Runnable> refreshes = new CopyOnWriteArrayList<>();
  private final long minIntervalNanos;
  private long lastNanos;
  private boolean ran;

  public ScrapeTimeRebind(Duration minInterval) {
    super(0, r -> {
      Thread t = new Thread(r, "marginflow-metrics-rebind");
      t.setDaemon(true);
      return t;
    });
    this.minIntervalNanos = minInterval.toNanos();
  }

  @Override
  public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay, long period, TimeUnit unit) {
    refreshes.add(command);
    return super.schedule(() -> { }, 0, TimeUnit.NANOSECONDS);
  }

  /** Runs the binders' refreshes unless they ran less than the minimum interval ago; call before a scrape. */
  public synchronized void beforeScrape() {
    long now = System.nanoTime();
    if (ran && now - lastNanos < minIntervalNanos) {
      return;
    }
    ran = true;
    lastNanos = now;
    refreshes.forEach(Runnable::run);
  }
}

package io.marginflow.connectors.power;

import java.util.LinkedHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.metrics.Measurable;
import org.apache.kafka.common.metrics.PluginMetrics;

/**
 * The task's counters, registered with the worker's metrics (KIP-877: JMX and any reporter the worker has, tagged with
 * the connector and task): scrapes, failed scrapes, garbage lines skipped, counter resets, intervals skipped.
 */
final class PowerSourceMetrics {
  final AtomicLong scrapes = new AtomicLong();
  final AtomicLong scrapeFailures = new AtomicLong();
  final AtomicLong garbageLines = new AtomicLong();
  final AtomicLong counterResets = new AtomicLong();
  final AtomicLong skippedIntervals = new AtomicLong();
  final AtomicLong samples = new AtomicLong();
  final AtomicLong staleReadings = new AtomicLong();
  final AtomicLong emptyScrapes = new AtomicLong();

  private PowerSourceMetrics() {
  }

  /** Counters, registered when the worker offers plugin metrics ({@code metrics} null in unit tests). */
  static PowerSourceMetrics register(PluginMetrics metrics) {
    PowerSourceMetrics m = new PowerSourceMetrics();
    if (metrics != null) {
      m.add(metrics, "scrapes-total", "Successful scrapes.", m.scrapes);
      m.add(metrics, "scrape-failures-total", "Scrapes that failed (unreachable, timeout, not HTTP 200).", m.scrapeFailures);
      m.add(metrics, "garbage-lines-total", "Exposition lines that did not parse, skipped.", m.garbageLines);
      m.add(metrics, "counter-resets-total", "Energy counters that went backwards (driver reload, exporter restart).",
          m.counterResets);
      m.add(metrics, "skipped-intervals-total", "GPU intervals without a sample (first scrape, gap, reset without gauge).",
          m.skippedIntervals);
      m.add(metrics, "samples-total", "PowerSample records produced.", m.samples);
      m.add(metrics, "stale-readings-total", "GPU readings the exporter had not refreshed since the last scrape (held "
          + "back, their energy spread over the next fresh interval).", m.staleReadings);
      m.add(metrics, "empty-scrapes-total", "Scrapes that answered but held no GPU reading (metric or label names do "
          + "not match the exporter's).", m.emptyScrapes);
    }
    return m;
  }

  private void add(PluginMetrics metrics, String name, String doc, AtomicLong value) {
    metrics.addMetric(metrics.metricName(name, doc, new LinkedHashMap<>()), (Measurable) (config, now) -> value.get());
  }

  void emptyScrape() {
    emptyScrapes.incrementAndGet();
  }

  void scrapeFailed() {
    scrapeFailures.incrementAndGet();
  }

  void scraped(int garbage) {
    scrapes.incrementAndGet();
    garbageLines.addAndGet(garbage);
  }

  void stepped(EnergyIntegrator.Step step) {
    if (step.counterReset()) {
      counterResets.incrementAndGet();
    }
    if (step.skipped() == EnergyIntegrator.Skip.STALE) {
      staleReadings.incrementAndGet();
    } else {
      (step.sample() == null ? skippedIntervals : samples).incrementAndGet();
    }
  }
}

package io.marginflow.connectors.power;

import java.util.HashSet;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.kafka.connect.errors.ConnectException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How the task copes with endpoints that fail or answer nothing useful: backoff after a failed scrape, warnings (and
 * the empty.scrapes.max limit) for answers without a GPU reading, a warning for node ids that look like container ids.
 * Logs under the task's logger, as before this was its own class.
 */
final class EndpointHealth {
  private static final Logger LOG = LoggerFactory.getLogger(PowerSourceTask.class);
  private static final Pattern CONTAINER_ID = Pattern.compile("[0-9a-f]{12}|[0-9a-f]{64}");

  private final PowerSourceConfig config;
  private final GpuMetrics metrics;
  private final PowerSourceMetrics counters;
  private final Set<String> warnedNodes = new HashSet<>();

  EndpointHealth(PowerSourceConfig config, GpuMetrics metrics, PowerSourceMetrics counters) {
    this.config = config;
    this.metrics = metrics;
    this.counters = counters;
  }

  /** A failed scrape: the endpoint is asked again after 1, 2, 4... intervals, at most retry.backoff.max.ms. */
  void failed(EndpointState e, long now, Throwable error) {
    e.failures++;
    long backoff = Math.min(config.getLong(PowerSourceConfig.BACKOFF_MAX),
        config.getLong(PowerSourceConfig.INTERVAL) << Math.min(e.failures - 1, 20));
    e.nextAttemptMs = now + backoff;
    counters.scrapeFailed();
    LOG.warn("Scrape of {} failed ({} in a row, next attempt in {} ms): {}", e.endpoint.url(), e.failures, backoff,
        error.toString());
  }

  /** An answered scrape: failures and backoff end; an answer without a GPU reading is {@link #empty}, else resets it. */
  void answered(EndpointState e, boolean empty) {
    e.failures = 0;
    e.nextAttemptMs = Long.MIN_VALUE;
    if (empty) {
      empty(e);
    } else {
      e.emptyScrapes = 0;
    }
  }

  /** An endpoint that answers without a GPU reading: warned, counted, and (empty-scrapes.max) fatal when it persists. */
  private void empty(EndpointState e) {
    e.emptyScrapes++;
    counters.emptyScrape();
    LOG.warn("{} answered but held no GPU reading ({} in a row): looked for {} with labels {} and {}{}", e.endpoint.url(),
        e.emptyScrapes, Stream.of(metrics.energyMetric(), metrics.powerMetric())
            .filter(Objects::nonNull).toList(), metrics.gpuLabel(), e.endpoint.node() != null
            ? "node " + e.endpoint.node() : metrics.nodeLabel(), " (set exporter, metric.* and label.* to its names)");
    int max = config.getInt(PowerSourceConfig.EMPTY_SCRAPES_MAX);
    if (max > 0 && e.emptyScrapes >= max) {
      throw new ConnectException(e.endpoint.url() + " answered " + e.emptyScrapes
          + " scrapes in a row without a GPU reading (" + PowerSourceConfig.EMPTY_SCRAPES_MAX + "=" + max + ")");
    }
  }

  /** Under plain Docker the exporter's host name is its container id, which changes at every restart. */
  void warnIfContainerId(String node) {
    if (CONTAINER_ID.matcher(node).matches() && warnedNodes.add(node)) {
      LOG.warn("Node id {} looks like a container id: it changes when the exporter's container restarts, and its cost "
          + "history with it. Configure the endpoint as node=url, or run dcgm-exporter with NODE_NAME set", node);
    }
  }
}

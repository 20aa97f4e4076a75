package io.marginflow.connectors.power;

import io.marginflow.avro.PowerSample;
import io.marginflow.connectors.power.EnergyIntegrator.Mark;
import io.marginflow.connectors.power.EnergyIntegrator.Step;
import io.marginflow.connectors.power.GpuReadings.GpuKey;
import io.marginflow.connectors.power.GpuReadings.Reading;
import io.marginflow.connectors.power.PowerSourceConfig.Endpoint;
import io.marginflow.schemas.TickHeader;
import io.marginflow.serde.ConfluentAvroSerializer;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.header.ConnectHeaders;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.source.SourceTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scrapes its endpoints every interval, integrates each GPU's energy since the previous scrape into a PowerSample, and
 * ticks every partition of the topic with the event time all its endpoints have reached. An unreachable endpoint is
 * retried with backoff and never stops the task; its GPUs' intervals resume from the last scrape that reached it.
 */
public final class PowerSourceTask extends SourceTask {
  private static final Logger LOG = LoggerFactory.getLogger(PowerSourceTask.class);

  private final LongSupplier clock;
  private static final java.util.regex.Pattern CONTAINER_ID = java.util.regex.Pattern.compile("[0-9a-f]{12}|[0-9a-f]{64}");
  /** The longest a poll() waits for its next scrape before it returns null (and is called again). */
  static final long MAX_POLL_WAIT_MS = 500;
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final CompletableFuture<Void> stopSignal = new CompletableFuture<>();
  private final java.util.Set<String> warnedNodes = new java.util.HashSet<>();
  private final Map<String, EndpointState> endpoints = new LinkedHashMap<>();
  private final Map<Map<String, Object>, Mark> marks = new HashMap<>();
  private PowerSourceConfig config;
  private GpuMetrics metrics;
  private HttpClient http;
  private ConfluentAvroSerializer<PowerSample> values;
  private PowerSourceMetrics counters;

  PowerSourceMetrics counters() {
    return counters;
  }
  private long nextScrapeMs = Long.MIN_VALUE;

  public PowerSourceTask() {
    this(System::currentTimeMillis);
  }

  PowerSourceTask(LongSupplier clock) {
    this.clock = clock;
  }

  private static final class EndpointState {
    final Endpoint endpoint;
    long nextAttemptMs = Long.MIN_VALUE;
    int failures;
    long reachedMs = Long.MIN_VALUE;
    int emptyScrapes;

    EndpointState(Endpoint endpoint) {
      this.endpoint = endpoint;
    }
  }

  @Override
  public void start(Map<String, String> props) {
    config = new PowerSourceConfig(props);
    metrics = config.metrics();
    config.endpoints().forEach(e -> endpoints.put(e.toString(), new EndpointState(e)));
    long timeout = config.scrapeTimeoutMs();
    http = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(timeout)).build();
    values = new ConfluentAvroSerializer<>();
    values.configure(Map.of("schema.registry.url", config.getString(PowerSourceConfig.REGISTRY_URL)), false);
    counters = PowerSourceMetrics.register(context == null ? null : context.pluginMetrics());
  }

  /**
   * Scrapes when the next scrape is due, else waits at most {@link #MAX_POLL_WAIT_MS} and returns null: Kafka Connect
   * (4.x) calls {@link #stop()} only once poll() has returned, and gives a stopping task task.shutdown.graceful.timeout.ms
   * (5 s by default) for it, so a poll must never wait out a whole interval.
   */
  @Override
  public List<SourceRecord> poll() throws InterruptedException {
    long now = clock.getAsLong();
    if (now < nextScrapeMs && (stopped.await(Math.min(nextScrapeMs - now, MAX_POLL_WAIT_MS), TimeUnit.MILLISECONDS)
        || clock.getAsLong() < nextScrapeMs)) {
      return null;
    }
    if (stopped.getCount() == 0) {
      return null;
    }
    now = clock.getAsLong();
    long interval = config.getLong(PowerSourceConfig.INTERVAL);
    nextScrapeMs = nextScrapeMs == Long.MIN_VALUE ? now + interval : Math.max(nextScrapeMs + interval, now);
    // Every due endpoint at once, each with its own timeout (shorter than the interval): a slow one delays no other.
    Map<EndpointState, CompletableFuture<Fetched>> inflight = new LinkedHashMap<>();
    for (EndpointState e : endpoints.values()) {
      if (e.nextAttemptMs <= now) {
        inflight.put(e, fetch(e.endpoint));
      }
    }
    if (!awaitAll(inflight.values())) {
      inflight.values().forEach(f -> f.cancel(true));
      return null;
    }
    List<SourceRecord> out = new ArrayList<>();
    for (Map.Entry<EndpointState, CompletableFuture<Fetched>> f : inflight.entrySet()) {
      Fetched fetched = f.getValue().getNow(new Fetched(null, now, new IOException("timed out")));
      if (fetched.error() != null) {
        failed(f.getKey(), now, fetched.error());
      } else {
        scraped(f.getKey(), fetched, out);
      }
    }
    tick(now, out);
    return out;
  }

  /** One endpoint's answer, read at {@code atMs} (halfway through the request), or why not. */
  private record Fetched(String text, long atMs, Throwable error) {
  }

  /** Waits until every fetch is answered or has timed out; false when the task was stopped meanwhile. */
  private boolean awaitAll(java.util.Collection<CompletableFuture<Fetched>> fetches) throws InterruptedException {
    CompletableFuture<?> all = CompletableFuture.allOf(fetches.toArray(new CompletableFuture<?>[0]));
    try {
      CompletableFuture.anyOf(all, stopSignal).get(config.scrapeTimeoutMs() + 1_000L,
          TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException e) {
      // a fetch that has not answered by now counts as failed below
    }
    return stopped.getCount() != 0;
  }

  private void failed(EndpointState e, long now, Throwable error) {
    e.failures++;
    long backoff = Math.min(config.getLong(PowerSourceConfig.BACKOFF_MAX),
        config.getLong(PowerSourceConfig.INTERVAL) << Math.min(e.failures - 1, 20));
    e.nextAttemptMs = now + backoff;
    counters.scrapeFailed();
    LOG.warn("Scrape of {} failed ({} in a row, next attempt in {} ms): {}", e.endpoint.url(), e.failures, backoff,
        error.toString());
  }

  private void scraped(EndpointState e, Fetched fetched, List<SourceRecord> out) {
    e.failures = 0;
    e.nextAttemptMs = Long.MIN_VALUE;
    PrometheusText.Parsed parsed = PrometheusText.parse(fetched.text());
    counters.scraped(parsed.garbageLines());
    Map<GpuKey, Reading> readings = GpuReadings.of(parsed.samples(), metrics, e.endpoint.node());
    if (readings.isEmpty()) {
      empty(e);
    } else {
      e.emptyScrapes = 0;
    }
    // A GPU missing from this scrape starts over when it comes back: its interval would begin before the tick.
    marks.keySet().removeIf(k -> e.endpoint.toString().equals(k.get("endpoint"))
        && !readings.containsKey(new GpuKey((String) k.get("node"), (String) k.get("gpu"))));
    long reached = fetched.atMs();
    for (Map.Entry<GpuKey, Reading> r : readings.entrySet()) {
      // The exporter's own sample time where its text has one, else when this endpoint was read.
      long at = r.getValue().sampledAtMs() != null ? r.getValue().sampledAtMs() : fetched.atMs();
      reached = Math.min(reached, integrate(e.endpoint, r.getKey(), r.getValue(), at, out));
      warnIfContainerId(r.getKey().node());
    }
    e.reachedMs = reached;
  }

  /** An endpoint that answers without a GPU reading: warned, counted, and (empty-scrapes.max) fatal when it persists. */
  private void empty(EndpointState e) {
    e.emptyScrapes++;
    counters.emptyScrape();
    LOG.warn("{} answered but held no GPU reading ({} in a row): looked for {} with labels {} and {}{}", e.endpoint.url(),
        e.emptyScrapes, java.util.stream.Stream.of(metrics.energyMetric(), metrics.powerMetric())
            .filter(java.util.Objects::nonNull).toList(), metrics.gpuLabel(), e.endpoint.node() != null
            ? "node " + e.endpoint.node() : metrics.nodeLabel(), " (set exporter, metric.* and label.* to its names)");
    int max = config.getInt(PowerSourceConfig.EMPTY_SCRAPES_MAX);
    if (max > 0 && e.emptyScrapes >= max) {
      throw new org.apache.kafka.connect.errors.ConnectException(e.endpoint.url() + " answered " + e.emptyScrapes
          + " scrapes in a row without a GPU reading (" + PowerSourceConfig.EMPTY_SCRAPES_MAX + "=" + max + ")");
    }
  }

  /** Under plain Docker the exporter's host name is its container id, which changes at every restart. */
  private void warnIfContainerId(String node) {
    if (CONTAINER_ID.matcher(node).matches() && warnedNodes.add(node)) {
      LOG.warn("Node id {} looks like a container id: it changes when the exporter's container restarts, and its cost "
          + "history with it. Configure the endpoint as node=url, or run dcgm-exporter with NODE_NAME set", node);
    }
  }

  /** Integrates one GPU's reading at {@code now}; returns its mark's time (where its next sample will start). */
  private long integrate(Endpoint endpoint, GpuKey gpu, Reading reading, long now, List<SourceRecord> out) {
    Map<String, Object> source = Map.of("endpoint", endpoint.toString(), "node", gpu.node(), "gpu", gpu.gpu());
    Mark last = marks.containsKey(source) ? marks.get(source) : storedMark(source);
    Step step = EnergyIntegrator.step(last, reading, now);
    marks.put(source, step.mark());
    counters.stepped(step);
    if (step.sample() == null) {
      return step.mark().atMs();
    }
    EnergyIntegrator.Interval i = step.sample();
    PowerSample sample = PowerSample.newBuilder().setTimestampMs(Instant.ofEpochMilli(i.startMs())).setNodeId(gpu.node())
        .setGpuId(gpu.gpu()).setIntervalMs(i.intervalMs()).setAvgPowerWatts(i.avgPowerWatts())
        .setGpuUtilization(i.utilization()).build();
    String topic = config.getString(PowerSourceConfig.TOPIC);
    Map<String, Object> offset = new HashMap<>();
    offset.put("energy_j", step.mark().energyJoules());
    offset.put("at_ms", step.mark().atMs());
    out.add(new SourceRecord(source, offset, topic, null, Schema.STRING_SCHEMA, gpu.node(), Schema.OPTIONAL_BYTES_SCHEMA,
        values.serialize(topic, sample), i.startMs()));
    return step.mark().atMs();
  }

  /** The mark committed with the last sample of this GPU before a restart, if any. */
  private Mark storedMark(Map<String, Object> source) {
    Map<String, Object> offset = context == null ? null : context.offsetStorageReader().offset(source);
    if (offset == null || !(offset.get("at_ms") instanceof Number at)) {
      return null;
    }
    Object energy = offset.get("energy_j");
    return new Mark(energy instanceof Number n ? n.doubleValue() : null, at.longValue());
  }

  /**
   * One tick per partition at the event time every endpoint of this task has reached: each GPU's next sample starts at
   * its endpoint's last successful scrape. An endpoint unreachable for longer than SPEC 1's longest interval no longer
   * holds the others back (its next sample would be a gap, skipped).
   */
  private void tick(long now, List<SourceRecord> out) {
    long reached = Long.MAX_VALUE;
    for (EndpointState e : endpoints.values()) {
      if (e.reachedMs != Long.MIN_VALUE && now - e.reachedMs <= EnergyIntegrator.MAX_INTERVAL_MS) {
        reached = Math.min(reached, e.reachedMs);
      } else if (e.reachedMs == Long.MIN_VALUE && e.failures == 0) {
        return;
      }
    }
    if (reached == Long.MAX_VALUE) {
      return;
    }
    String topic = config.getString(PowerSourceConfig.TOPIC);
    for (int p = 0; p < config.getInt(PowerSourceConfig.TOPIC_PARTITIONS); p++) {
      ConnectHeaders headers = new ConnectHeaders();
      headers.addString(TickHeader.NAME, TickHeader.VALUE);
      out.add(new SourceRecord(Map.of("ticks", topic), Map.of("at_ms", reached), topic, p, null, null, null, null, reached,
          headers));
    }
  }

  /** Asks {@code endpoint}; the answer is stamped halfway between sending and receiving it. */
  private CompletableFuture<Fetched> fetch(Endpoint endpoint) {
    HttpRequest.Builder request = HttpRequest.newBuilder(endpoint.url())
        .timeout(Duration.ofMillis(config.scrapeTimeoutMs())).header("Accept", "text/plain");
    if (config.bearerToken() != null) {
      request.header("Authorization", "Bearer " + config.bearerToken());
    }
    long sent = clock.getAsLong();
    try {
      return http.sendAsync(request.GET().build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8))
          .handle((response, error) -> {
            long received = clock.getAsLong();
            long at = sent + (received - sent) / 2;
            if (error != null) {
              return new Fetched(null, at, error instanceof java.util.concurrent.CompletionException c
                  && c.getCause() != null ? c.getCause() : error);
            }
            return response.statusCode() == 200 ? new Fetched(response.body(), at, null)
                : new Fetched(null, at, new IOException("HTTP " + response.statusCode()));
          });
    } catch (RuntimeException e) {
      return CompletableFuture.completedFuture(new Fetched(null, sent, e));
    }
  }

  /** Wakes a poll() that waits for the next scrape or for answers at once. */
  @Override
  public void stop() {
    stopped.countDown();
    stopSignal.complete(null);
  }

  @Override
  public String version() {
    return PowerSourceConnector.VERSION;
  }
}

package io.marginflow.connectors.power;

import io.marginflow.avro.PowerSample;
import io.marginflow.connectors.power.GpuReadings.GpuKey;
import io.marginflow.connectors.power.GpuReadings.Reading;
import io.marginflow.connectors.power.ScrapeClient.Fetched;
import io.marginflow.serde.ConfluentAvroSerializer;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.source.SourceTask;

/**
 * Scrapes its endpoints every interval, integrates each GPU's energy since the previous scrape into a PowerSample, and
 * ticks every partition of the topic with the event time all its endpoints have reached. An unreachable endpoint is
 * retried with backoff and never stops the task; its GPUs' intervals resume from the last scrape that reached it.
 * Fetching is {@link ScrapeClient}'s, failures and empty answers {@link EndpointHealth}'s, samples {@link GpuSamples}'
 * and ticks {@link PartitionTicks}'.
 */
public final class PowerSourceTask extends SourceTask {
  /** The longest a poll() waits for its next scrape before it returns null (and is called again). */
  static final long MAX_POLL_WAIT_MS = 500;

  private final LongSupplier clock;
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final CompletableFuture<Void> stopSignal = new CompletableFuture<>();
  private final Map<String, EndpointState> endpoints = new LinkedHashMap<>();
  private PowerSourceConfig config;
  private GpuMetrics metrics;
  private ScrapeClient client;
  private PowerSourceMetrics counters;
  private EndpointHealth health;
  private GpuSamples samples;
  private long nextScrapeMs = Long.MIN_VALUE;

  public PowerSourceTask() {
    this(System::currentTimeMillis);
  }

  PowerSourceTask(LongSupplier clock) {
    this.clock = clock;
  }

  PowerSourceMetrics counters() {
    return counters;
  }

  @Override
  public void start(Map<String, String> props) {
    config = new PowerSourceConfig(props);
    metrics = config.metrics();
    config.endpoints().forEach(e -> endpoints.put(e.toString(), new EndpointState(e)));
    client = new ScrapeClient(config, clock);
    ConfluentAvroSerializer<PowerSample> values = new ConfluentAvroSerializer<>();
    values.configure(Map.of("schema.registry.url", config.getString(PowerSourceConfig.REGISTRY_URL)), false);
    counters = PowerSourceMetrics.register(context == null ? null : context.pluginMetrics());
    health = new EndpointHealth(config, metrics, counters);
    samples = new GpuSamples(config.getString(PowerSourceConfig.TOPIC), values, counters,
        source -> context == null ? null : context.offsetStorageReader().offset(source));
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
        inflight.put(e, client.fetch(e.endpoint));
      }
    }
    client.awaitAll(inflight.values(), stopSignal);
    if (stopped.getCount() == 0) {
      inflight.values().forEach(f -> f.cancel(true));
      return null;
    }
    List<SourceRecord> out = new ArrayList<>();
    for (Map.Entry<EndpointState, CompletableFuture<Fetched>> f : inflight.entrySet()) {
      Fetched fetched = f.getValue().getNow(new Fetched(null, now, new IOException("timed out")));
      if (fetched.error() != null) {
        health.failed(f.getKey(), now, fetched.error());
      } else {
        scraped(f.getKey(), fetched, out);
      }
    }
    PartitionTicks.add(now, endpoints.values(), config, out);
    return out;
  }

  private void scraped(EndpointState e, Fetched fetched, List<SourceRecord> out) {
    PrometheusText.Parsed parsed = PrometheusText.parse(fetched.text());
    counters.scraped(parsed.garbageLines());
    Map<GpuKey, Reading> readings = GpuReadings.of(parsed.samples(), metrics, e.endpoint.node());
    health.answered(e, readings.isEmpty());
    samples.forgetMissing(e.endpoint, readings);
    long reached = fetched.atMs();
    for (Map.Entry<GpuKey, Reading> r : readings.entrySet()) {
      // The exporter's own sample time where its text has one, else when this endpoint was read.
      long at = r.getValue().sampledAtMs() != null ? r.getValue().sampledAtMs() : fetched.atMs();
      reached = Math.min(reached, samples.integrate(e.endpoint, r.getKey(), r.getValue(), at, out));
      health.warnIfContainerId(r.getKey().node());
    }
    e.reachedMs = reached;
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

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
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
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
  private final CountDownLatch stopped = new CountDownLatch(1);
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

    EndpointState(Endpoint endpoint) {
      this.endpoint = endpoint;
    }
  }

  @Override
  public void start(Map<String, String> props) {
    config = new PowerSourceConfig(props);
    metrics = config.metrics();
    config.endpoints().forEach(e -> endpoints.put(e.toString(), new EndpointState(e)));
    long timeout = config.getLong(PowerSourceConfig.TIMEOUT);
    http = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(timeout)).build();
    values = new ConfluentAvroSerializer<>();
    values.configure(Map.of("schema.registry.url", config.getString(PowerSourceConfig.REGISTRY_URL)), false);
    counters = PowerSourceMetrics.register(context == null ? null : context.pluginMetrics());
  }

  @Override
  public List<SourceRecord> poll() throws InterruptedException {
    long now = clock.getAsLong();
    if (now < nextScrapeMs && stopped.await(nextScrapeMs - now, TimeUnit.MILLISECONDS)) {
      return null;
    }
    if (stopped.getCount() == 0) {
      return null;
    }
    now = clock.getAsLong();
    long interval = config.getLong(PowerSourceConfig.INTERVAL);
    nextScrapeMs = nextScrapeMs == Long.MIN_VALUE ? now + interval : Math.max(nextScrapeMs + interval, now);
    List<SourceRecord> out = new ArrayList<>();
    for (EndpointState e : endpoints.values()) {
      if (e.nextAttemptMs <= now) {
        scrape(e, now, out);
      }
    }
    tick(now, out);
    return out;
  }

  private void scrape(EndpointState e, long now, List<SourceRecord> out) {
    String text;
    try {
      text = fetch(e.endpoint);
    } catch (IOException | RuntimeException ex) {
      e.failures++;
      long backoff = Math.min(config.getLong(PowerSourceConfig.BACKOFF_MAX),
          config.getLong(PowerSourceConfig.INTERVAL) << Math.min(e.failures - 1, 20));
      e.nextAttemptMs = now + backoff;
      counters.scrapeFailed();
      LOG.warn("Scrape of {} failed ({} in a row, next attempt in {} ms): {}", e.endpoint.url(), e.failures, backoff,
          ex.toString());
      return;
    } catch (InterruptedException ex) {
      Thread.currentThread().interrupt();
      return;
    }
    e.failures = 0;
    e.nextAttemptMs = Long.MIN_VALUE;
    e.reachedMs = now;
    PrometheusText.Parsed parsed = PrometheusText.parse(text);
    counters.scraped(parsed.garbageLines());
    Map<GpuKey, Reading> readings = GpuReadings.of(parsed.samples(), metrics, e.endpoint.node());
    // A GPU missing from this scrape starts over when it comes back: its interval would begin before the tick.
    marks.keySet().removeIf(k -> e.endpoint.toString().equals(k.get("endpoint"))
        && !readings.containsKey(new GpuKey((String) k.get("node"), (String) k.get("gpu"))));
    readings.forEach((gpu, reading) -> integrate(e.endpoint, gpu, reading, now, out));
  }

  private void integrate(Endpoint endpoint, GpuKey gpu, Reading reading, long now, List<SourceRecord> out) {
    Map<String, Object> source = Map.of("endpoint", endpoint.toString(), "node", gpu.node(), "gpu", gpu.gpu());
    Mark last = marks.containsKey(source) ? marks.get(source) : storedMark(source);
    Step step = EnergyIntegrator.step(last, reading, now);
    marks.put(source, step.mark());
    counters.stepped(step);
    if (step.sample() == null) {
      return;
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

  private String fetch(Endpoint endpoint) throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(endpoint.url())
        .timeout(Duration.ofMillis(config.getLong(PowerSourceConfig.TIMEOUT))).header("Accept", "text/plain");
    if (config.bearerToken() != null) {
      request.header("Authorization", "Bearer " + config.bearerToken());
    }
    HttpResponse<String> response = http.send(request.GET().build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    if (response.statusCode() != 200) {
      throw new IOException("HTTP " + response.statusCode());
    }
    return response.body();
  }

  @Override
  public void stop() {
    stopped.countDown();
  }

  @Override
  public String version() {
    return PowerSourceConnector.VERSION;
  }
}

package io.marginflow.topology.app;

import io.marginflow.avro.BudgetAlert;
import io.marginflow.avro.CapacityAlert;
import io.marginflow.topology.config.MarginflowConfig;
import io.marginflow.topology.config.Topics;
import io.marginflow.topology.http.Tls;
import io.marginflow.topology.query.RecordFeed;
import io.marginflow.avro.ModelRegionCost;
import io.marginflow.avro.PriceAdjustment;
import io.marginflow.topology.query.ApiTokens;
import io.marginflow.topology.query.QueryServer;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.streams.state.HostInfo;

/** One marginflow instance: the stream processing and its query API/dashboard, started and stopped together. */
public final class MarginflowService implements AutoCloseable {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(MarginflowService.class);
  private final MarginflowApp app;
  private final QueryServer server;
  private final AtomicBoolean closed = new AtomicBoolean();

  private MarginflowService(MarginflowApp app, QueryServer server) {
    this.app = app;
    this.server = server;
  }

  public static MarginflowService start(MarginflowConfig config) throws IOException {
    ApiTokens tokens = ApiTokens.parse(MarginflowConfig.HTTP_TOKENS, config.getPassword(MarginflowConfig.HTTP_TOKENS).value());
    String bind = config.getString(MarginflowConfig.HTTP_BIND);
    var tls = Tls.server(config, "http.");
    if (tls == null && !Tls.loopback(bind)) {
      LOG.warn("The query API listens on {} without TLS: tokens and figures cross the network in clear; set "
          + "http.tls.certificate and http.tls.key (or http.tls.keystore) to serve HTTPS", bind);
    }
    QueryServer server = QueryServer.bind(bind, config.getInt(MarginflowConfig.HTTP_PORT), tls);
    try {
      MarginflowApp app = MarginflowApp.start(config, server.port());
      server.attach(app.streams(), new HostInfo(config.getString(MarginflowConfig.HTTP_HOST), server.port()),
          app.topologyConfig(), tokens, config.getBoolean(MarginflowConfig.PRICING_ENABLED));
      server.register(app.referenceRejects());
      server.register(app.watermarkLag());
      server.register(app.pipelineMeters());
      // 1 when Kafka Streams is RUNNING (what /health/ready answers), for alerting rules.
      server.register(r -> io.micrometer.core.instrument.Gauge.builder("marginflow.ready", app.streams(),
          s -> s.state() == org.apache.kafka.streams.KafkaStreams.State.RUNNING ? 1 : 0)
          .description("1 when the instance is ready (Kafka Streams RUNNING, state restored)").register(r));
      server.feeds().alerts(alertFeed(config, app));
      server.feeds().unitCosts(RecordFeed.latestByKey(client(config), java.util.Map.of(Topics.from(config).costs(),
          app.serdes().value(ModelRegionCost.class).deserializer()), 100_000, "marginflow-unit-cost-feed"));
      server.feeds().adjustments(RecordFeed.latestByKey(client(config), java.util.Map.of(Topics.from(config).pricing(),
          app.serdes().value(PriceAdjustment.class).deserializer()), 100_000, "marginflow-adjustment-feed"));
      return new MarginflowService(app, server);
    } catch (RuntimeException e) {
      server.close();
      throw e;
    }
  }

  /** The recent alerts for /v1/alerts and the dashboard, read with the pipeline's own client settings. */
  private static RecordFeed alertFeed(MarginflowConfig config, MarginflowApp app) {
    Topics t = Topics.from(config);
    return RecordFeed.alerts(client(config), java.util.Map.of(t.alertsBudget(), app.serdes().value(BudgetAlert.class).deserializer(),
        t.alertsCapacity(), app.serdes().value(CapacityAlert.class).deserializer()), 10_000);
  }

  /** The pipeline's own client settings (bootstrap servers, security) for the query API's feeds. */
  private static java.util.Map<String, Object> client(MarginflowConfig config) {
    java.util.Map<String, Object> client = new java.util.HashMap<>(config.withPrefix("kafka.", true));
    client.put(org.apache.kafka.clients.CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG,
        config.getString(MarginflowConfig.BOOTSTRAP_SERVERS));
    return client;
  }

  public MarginflowApp app() {
    return app;
  }

  /** The port the query API listens on. */
  public int httpPort() {
    return server.port();
  }

  /** Stops the query API and the pipeline; later calls do nothing. */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      server.close();
      app.close();
    }
  }
}

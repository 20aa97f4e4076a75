package io.marginflow.topology.app;

import io.marginflow.topology.config.MarginflowConfig;
import io.marginflow.topology.query.ApiTokens;
import io.marginflow.topology.query.QueryServer;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.streams.state.HostInfo;

/** One marginflow instance: the stream processing and its query API/dashboard, started and stopped together. */
public final class MarginflowService implements AutoCloseable {
  private final MarginflowApp app;
  private final QueryServer server;
  private final AtomicBoolean closed = new AtomicBoolean();

  private MarginflowService(MarginflowApp app, QueryServer server) {
    this.app = app;
    this.server = server;
  }

  public static MarginflowService start(MarginflowConfig config) throws IOException {
    ApiTokens tokens = ApiTokens.parse(MarginflowConfig.HTTP_TOKENS, config.getPassword(MarginflowConfig.HTTP_TOKENS).value());
    QueryServer server = QueryServer.bind(config.getString(MarginflowConfig.HTTP_BIND), config.getInt(MarginflowConfig.HTTP_PORT));
    try {
      MarginflowApp app = MarginflowApp.start(config, server.port());
      server.attach(app.streams(), new HostInfo(config.getString(MarginflowConfig.HTTP_HOST), server.port()),
          app.topologyConfig(), tokens, config.getBoolean(MarginflowConfig.PRICING_ENABLED));
      server.register(app.referenceRejects());
      server.register(app.watermarkLag());
      return new MarginflowService(app, server);
    } catch (RuntimeException e) {
      server.close();
      throw e;
    }
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

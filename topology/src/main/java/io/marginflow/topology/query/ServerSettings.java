package io.marginflow.topology.query;

import io.javalin.config.JavalinConfig;
import io.javalin.json.JavalinJackson;
import io.marginflow.topology.http.JsonErrorHandler;
import io.marginflow.topology.http.Tls;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * How the query server's Jetty is set up: bounded requests (64 KiB body, 16 KiB headers), idle connections closed
 * after 30 s, 32 daemon threads, no server version, Jetty's own errors as JSON, HTTPS only when TLS is configured.
 */
final class ServerSettings {
  private static final int MAX_HEADER_BYTES = 16 * 1024;
  private static final long IDLE_TIMEOUT_MS = 30_000;

  private ServerSettings() {
  }

  /** Applies the settings to {@code cfg}; the connector is handed back in {@code holder[0]} when Jetty creates it. */
  static void apply(JavalinConfig cfg, String bindHost, int port, SslContextFactory.Server tls, ServerConnector[] holder) {
    cfg.startup.showJavalinBanner = false;
    cfg.startup.showOldJavalinVersionWarning = false;
    cfg.http.prefer405over404 = true;
    cfg.http.maxRequestSize = 64 * 1024;
    cfg.http.generateEtags = false;
    cfg.jsonMapper(new JavalinJackson(Json.MAPPER, false));
    QueuedThreadPool pool = new QueuedThreadPool(32, 4, 60_000);
    pool.setName("marginflow-http");
    pool.setDaemon(true);
    cfg.jetty.threadPool = pool;
    cfg.jetty.modifyHttpConfiguration(http -> {
      http.setRequestHeaderSize(MAX_HEADER_BYTES);
      http.setSendServerVersion(false);
    });
    cfg.jetty.addConnector((server, http) -> {
      ServerConnector c = Tls.connector(server, http, tls);
      c.setHost(bindHost);
      c.setPort(port);
      c.setIdleTimeout(IDLE_TIMEOUT_MS);
      holder[0] = c;
      return c;
    });
    cfg.jetty.modifyServer(server -> {
      // Errors Jetty answers itself (oversized headers, malformed requests) are JSON too, without stack traces.
      server.setErrorHandler(new JsonErrorHandler());
    });
  }
}

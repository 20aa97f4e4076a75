package io.marginflow.registry.server;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.marginflow.registry.RegistryException;
import io.marginflow.registry.store.SchemaStore;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small Schema Registry for the single-machine default, speaking the subset of Confluent's REST API that
 * serdes and tools use (subjects, versions, schemas by id, compatibility, config), over the JDK HTTP server.
 * Optionally requires an Authorization header (basic or bearer), to exercise clients' credentials.
 */
public final class EmbeddedSchemaRegistry implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedSchemaRegistry.class);

  static {
    // The JDK server leaves Nagle's algorithm on: with a client's delayed ACK every keep-alive answer waits ~40 ms.
    // Read once, when the JDK's server configuration loads, so it is set before any server is created.
    if (System.getProperty("sun.net.httpserver.nodelay") == null) {
      System.setProperty("sun.net.httpserver.nodelay", "true");
    }
  }

  private final HttpServer server;
  private final ExecutorService executor;
  private final RegistryRoutes routes;
  private final Set<String> acceptedAuthorizations;

  private EmbeddedSchemaRegistry(HttpServer server, SchemaStore store, Set<String> acceptedAuthorizations) {
    this.server = server;
    this.routes = new RegistryRoutes(store);
    this.acceptedAuthorizations = acceptedAuthorizations;
    this.executor = Executors.newFixedThreadPool(4, r -> {
      Thread t = new Thread(r, "schema-registry-http");
      t.setDaemon(true);
      return t;
    });
    server.setExecutor(executor);
    server.createContext("/", this::handle);
  }

  /** Starts a registry on {@code host:port} (port 0: any free port) with no authentication. */
  public static EmbeddedSchemaRegistry start(String host, int port, SchemaStore store) throws IOException {
    return start(host, port, store, Set.of());
  }

  /**
   * Starts a registry that accepts only requests whose Authorization header equals one of
   * {@code acceptedAuthorizations} (e.g. "Basic dXNlcjpwYXNz", "Bearer t0ken"); empty: no authentication.
   */
  public static EmbeddedSchemaRegistry start(String host, int port, SchemaStore store, Set<String> acceptedAuthorizations)
      throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 64);
    EmbeddedSchemaRegistry registry = new EmbeddedSchemaRegistry(server, store, Set.copyOf(acceptedAuthorizations));
    server.start();
    LOG.info("Schema registry listening on {}", registry.url());
    return registry;
  }

  /** Starts a registry over HTTPS with {@code tls} (e.g. to exercise clients' trust stores). */
  public static EmbeddedSchemaRegistry startTls(String host, int port, SchemaStore store, SSLContext tls) throws IOException {
    HttpsServer server = HttpsServer.create(new InetSocketAddress(host, port), 64);
    server.setHttpsConfigurator(new HttpsConfigurator(tls));
    EmbeddedSchemaRegistry registry = new EmbeddedSchemaRegistry(server, store, Set.of());
    server.start();
    LOG.info("Schema registry listening on {}", registry.url());
    return registry;
  }

  /** The base URL, e.g. http://127.0.0.1:40123. */
  public String url() {
    InetSocketAddress address = server.getAddress();
    String scheme = server instanceof HttpsServer ? "https" : "http";
    return scheme + "://" + address.getHostString() + ":" + address.getPort();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      RegistryResponse response;
      try {
        authorize(exchange);
        response = routes.route(exchange.getRequestMethod(), exchange.getRequestURI(),
            new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
      } catch (RegistryException e) {
        response = RegistryResponse.error(e);
      } catch (RuntimeException e) {
        LOG.error("Registry request {} {} failed", exchange.getRequestMethod(), exchange.getRequestURI(), e);
        response = RegistryResponse.error(
            new RegistryException(500, RegistryException.STORE_ERROR, "Internal error: " + e.getMessage()));
      }
      byte[] body = response.body().getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "application/vnd.schemaregistry.v1+json");
      exchange.sendResponseHeaders(response.status(), body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }

  private void authorize(HttpExchange exchange) {
    if (acceptedAuthorizations.isEmpty()) {
      return;
    }
    String given = exchange.getRequestHeaders().getFirst("Authorization");
    if (given == null || !acceptedAuthorizations.contains(given.trim())) {
      throw new RegistryException(401, RegistryException.UNAUTHORIZED, "Unauthorized");
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}

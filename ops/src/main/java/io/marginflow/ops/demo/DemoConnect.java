package io.marginflow.ops.demo;

import io.marginflow.connectors.iceberg.IcebergSink;
import io.marginflow.ops.connect.Lake;
import io.marginflow.ops.connect.StandaloneWorker;
import io.marginflow.ops.embedded.EmbeddedStack;
import io.marginflow.topology.config.MarginflowConfig;
import io.marginflow.topology.config.Topics;
import java.io.PrintStream;
import java.util.Map;
import java.util.concurrent.Executor;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.connect.runtime.Connect;
import org.apache.kafka.connect.runtime.standalone.StandaloneHerder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The demo's Kafka Connect worker, started beside the live load (it takes a few seconds): the alert webhook connector
 * at once and, with {@code --connect}, the DCGM power connector once event time has caught up with the wall clock (the
 * exporters speak in wall-clock time), when the demo's producer stops writing power; with {@code --lake}, the lake's
 * Iceberg sinks. Closing stops them all.
 */
final class DemoConnect implements AutoCloseable {
  /** The demo's logger: these messages read as the demo's. */
  private static final Logger LOG = LoggerFactory.getLogger(Demo.class);

  private final DemoOptions options;
  private final EmbeddedStack stack;
  private final DemoExporters exporters;
  private volatile DemoWebhooks webhooks;
  private volatile Connect<StandaloneHerder> connect;
  private volatile boolean closed;

  /** {@code exporters}: null unless power goes through the DCGM connector once live. */
  DemoConnect(DemoOptions options, EmbeddedStack stack, DemoExporters exporters) {
    this.options = options;
    this.stack = stack;
    this.exporters = exporters;
  }

  /** Starts the worker and its connectors on {@code executor}; the power connector once {@code loop} has caught up. */
  void start(Executor executor, Topics topics, DemoLoop loop, PrintStream out) {
    boolean alerts = !DemoOptions.WEBHOOK_OFF.equals(options.webhook());
    if (!alerts && exporters == null && options.lake() == null) {
      return;
    }
    String target = DemoOptions.WEBHOOK_LOCAL.equals(options.webhook()) ? null : options.webhook();
    executor.execute(() -> {
      try {
        Connect<StandaloneHerder> worker = DemoWebhooks.startWorker(options.stateDir().resolve("connect"),
            stack.bootstrapServers());
        synchronized (this) {
          if (closed) {
            worker.stop();
            return;
          }
          connect = worker;
        }
        if (alerts) {
          startWebhooks(worker, topics, target, out);
        }
        if (options.lake() != null) {
          startLake(worker, out);
        }
        if (exporters != null) {
          loop.awaitCaughtUp();
          int partitions = Topics.catalog(MarginflowConfig.of(Map.of())).get("power").partitions();
          StandaloneWorker.startConnector(worker, exporters.connector(stack.registryUrl(), topics.power(), partitions));
          exporters.goLive();
          LOG.info("Power now comes from the fake DCGM exporters through the {} connector", DemoExporters.CONNECTOR);
          out.println("marginflow: power now flows DCGM exporter -> power source connector (Kafka Connect) -> topology");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (Exception e) {
        LOG.error("The Connect worker or a connector did not start", e);
        out.println("marginflow: Kafka Connect did not start (" + e.getMessage() + "); see the log");
      }
    });
  }

  private void startWebhooks(Connect<StandaloneHerder> worker, Topics topics, String target, PrintStream out) {
    try {
      DemoWebhooks w = DemoWebhooks.start(worker, stack.registryUrl(), topics, target, out);
      synchronized (this) {
        if (closed) {
          w.close();
          return;
        }
        webhooks = w;
      }
      LOG.info("Alert webhook connector running, delivering to {}", target == null ? "the demo's receiver" : "the given URL");
    } catch (Exception e) {
      LOG.error("The alert webhook connector did not start; alerts stay on their topics and in /v1/alerts", e);
      out.println("marginflow: alert delivery did not start (" + e.getMessage() + "); see the log");
    }
  }

  private void startLake(Connect<StandaloneHerder> worker, PrintStream out) {
    try {
      Map<String, String> catalog = IcebergSink.localCatalog(options.lake());
      try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers()))) {
        Lake.prepare(admin, catalog);
      }
      for (Map<String, String> sink : Lake.sinks(Topics.catalog(MarginflowConfig.of(Map.of())),
          Map.of("bootstrap.servers", stack.bootstrapServers()), stack.registryUrl(), catalog,
          Demo.LAKE_COMMIT_INTERVAL.toMillis())) {
        if (closed) {
          return;
        }
        StandaloneWorker.startConnector(worker, sink);
      }
      LOG.info("Iceberg sinks running into the lake at {}", options.lake().toAbsolutePath());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      LOG.error("The lake's Iceberg sinks did not start; the history stays on its topics", e);
      out.println("marginflow: the lake did not start (" + e.getMessage() + "); see the log");
    }
  }

  /** Stops the worker (and with it its connectors), then the webhook receiver; a start still under way gives up. */
  @Override
  public void close() {
    DemoWebhooks w;
    Connect<StandaloneHerder> worker;
    synchronized (this) {
      closed = true;
      w = webhooks;
      worker = connect;
    }
    if (worker != null) {
      worker.stop();
      worker.awaitStop();
    }
    if (w != null) {
      w.close();
    }
  }
}

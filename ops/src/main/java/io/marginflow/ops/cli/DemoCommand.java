package io.marginflow.ops.cli;

import io.marginflow.connectors.iceberg.IcebergSink;
import io.marginflow.connectors.iceberg.LakeTable;
import io.marginflow.ops.FileTrees;
import io.marginflow.ops.demo.Demo;
import io.marginflow.ops.demo.DemoOptions;
import io.marginflow.ops.sql.LakeSql;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code marginflow demo}: the whole product on one machine, with live figures. */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = {"Run everything on this machine: broker, registry, pipeline, live load, query API and dashboard.",
        "Embedded broker and schema registry, topics, reference data, the pipeline, a live load generator, the query API",
        "and the dashboard on http://localhost:8080; prints per-tenant margins as they are computed. Ctrl-C stops it."})
final class DemoCommand implements Callable<Integer> {
  @Spec
  private CommandSpec spec;

  @Mixin
  private FleetOptions fleet;

  @Option(names = "--duration", description = "Stop after this many seconds (default: run until Ctrl-C).")
  private Long durationSeconds;

  @Option(names = "--speed", defaultValue = "60", description = "Event time runs this many times faster than the wall clock "
      + "until it reaches now (default: ${DEFAULT-VALUE}).")
  private double speed;

  @Option(names = "--lookback", defaultValue = "2h", description = "Start event time this far in the past (default: 2h; "
      + "30m, 2h, 1d or ISO-8601 like PT30M).")
  private Duration lookback;

  @Option(names = "--port", defaultValue = "8080", description = "Query API and dashboard port (default: ${DEFAULT-VALUE}).")
  private int port;

  @Option(names = "--kafka-port", defaultValue = "9092", description = "Port of the embedded Kafka broker, for your own "
      + "consumers of the margin topics (0: any free port; default: ${DEFAULT-VALUE}).")
  private int kafkaPort;

  @Option(names = "--registry-port", defaultValue = "8081",
      description = "Port of the embedded schema registry (0: any free port; default: ${DEFAULT-VALUE}).")
  private int registryPort;

  @Option(names = "--state-dir", defaultValue = "state/demo",
      description = "Broker, registry and stream state (default: ${DEFAULT-VALUE}).")
  private Path stateDir;

  @Option(names = "--bind", defaultValue = DemoOptions.LOOPBACK, description = "Address the query API and dashboard "
      + "listen on (default: ${DEFAULT-VALUE}, this machine only; 0.0.0.0 opens them to the network).")
  private String bind;

  @Option(names = "--admin-token", description = "Admin bearer token of the query API (default: a random one per run, "
      + "printed below).")
  private String adminToken;

  @Option(names = "--webhook", defaultValue = DemoOptions.WEBHOOK_LOCAL, description = "Where the alert webhook connector "
      + "delivers alerts: local (a receiver in the demo that prints each one), off, or your own http(s) URL "
      + "(default: ${DEFAULT-VALUE}).")
  private String webhook;

  @Option(names = "--ingest-port", defaultValue = "4318", description = "Port of the ingest gateway: OTLP/HTTP traces at "
      + "/v1/traces (the demo's load arrives this way) and JSON at /v1/usage (0: any free port; default: ${DEFAULT-VALUE}).")
  private int ingestPort;

  @Option(names = "--connect", description = "Once event time has caught up with the clock, power comes from fake DCGM "
      + "exporters (one per node, on loopback) through the power source connector on the demo's Kafka Connect worker.")
  private boolean connect;

  @Option(names = "--lake", arity = "0..1", fallbackValue = "", paramLabel = "DIR", description = "Write the history "
      + "(margins, alerts, price adjustments, unit costs) as Iceberg tables into a local lake, through the Iceberg sinks "
      + "on the demo's Kafka Connect worker; DIR defaults to lake/ in the state folder.")
  private String lake;

  @Option(names = "--reset", description = "Delete the state folder first.")
  private boolean reset;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    // Keep the terminal for the live table: logs go to a file (set before the first logger is created).
    if (reset) {
      FileTrees.deleteRecursively(stateDir);
    }
    java.nio.file.Files.createDirectories(stateDir);
    if (System.getProperty("org.slf4j.simpleLogger.logFile") == null) {
      System.setProperty("org.slf4j.simpleLogger.logFile", stateDir.resolve("marginflow.log").toAbsolutePath().toString());
    }
    DemoOptions options = new DemoOptions(stateDir, port, kafkaPort, registryPort, lookback, speed, fleet.tenants, fleet.nodes,
        fleet.seed, fleet.rate(), false, Duration.ofSeconds(5), bind, adminToken == null ? DemoOptions.randomToken() : adminToken,
        webhook).withIngest(ingestPort, connect).withLake(lake == null ? null
            : lake.isEmpty() ? stateDir.resolve("lake") : Path.of(lake));
    CountDownLatch stopped = new CountDownLatch(1);
    Demo demo = Demo.start(options, System.out);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      demo.close();
      stopped.countDown();
    }, "marginflow-demo-shutdown"));
    out.println("marginflow demo is running (state in " + stateDir.toAbsolutePath() + ")");
    out.println("  dashboard: " + demo.dashboardUrl());
    out.println("  listening on " + bind + ":" + demo.httpPort() + (DemoOptions.LOOPBACK.equals(bind) ? " (this machine only)" : "")
        + "; admin token" + (adminToken == null ? " (new each run)" : "") + ": " + options.adminToken());
    out.println("  query API: curl -H 'Authorization: Bearer " + options.adminToken() + "' 'http://localhost:" + demo.httpPort()
        + "/v1/tenants?window=1h&sort=gross_margin_usd&order=asc'");
    out.println("  kafka:     " + demo.bootstrapServers() + "   (margins.tenant.v1, Avro; schema registry "
        + demo.registryUrl() + ")");
    out.println("  ingest:    OTLP/HTTP http://localhost:" + demo.ingestPort() + "/v1/traces (the load's spans arrive here; "
        + "point an OpenTelemetry Collector's otlphttp exporter at it) and JSON POST /v1/usage");
    if (connect) {
      out.println("  power:     from the demo's producer until event time reaches now, then DCGM exporter -> power source "
          + "connector (Kafka Connect) -> topology");
    }
    out.println("  alerts:    " + switch (webhook) {
      case DemoOptions.WEBHOOK_OFF -> "not delivered (--webhook off); GET /v1/alerts lists them";
      case DemoOptions.WEBHOOK_LOCAL -> "delivered by the alert webhook connector (Kafka Connect) to a receiver here, printed as"
          + " they come (webhook ...)";
      default -> "delivered by the alert webhook connector (Kafka Connect) to " + webhook;
    });
    if (options.lake() != null) {
      out.println("  lake:      Iceberg tables " + LakeTable.NAMESPACE + ".{" + String.join(",", LakeSql.tableNames())
          + "} in "
          + options.lake().toAbsolutePath() + " (catalog " + IcebergSink.localCatalog(options.lake()).get("uri")
          + "), committed every " + Demo.LAKE_COMMIT_INTERVAL.toSeconds() + " s");
      out.println("  sql:       bin/marginflow sql" + (options.lake().equals(Path.of(SqlCommand.DEFAULT_LAKE)) ? ""
          : " --lake " + options.lake()) + " \"SELECT tenant_id, sum(gross_margin_usd) AS "
          + "margin_usd FROM tenant_margins WHERE \\\"window\\\" = '1h' GROUP BY 1 ORDER BY 2 LIMIT 5\"");
    }
    out.println("  logs:      " + System.getProperty("org.slf4j.simpleLogger.logFile", "stderr"));
    out.println(durationSeconds == null ? "Press Ctrl-C to stop." : "Stopping after " + durationSeconds + " s.");
    out.flush();
    if (durationSeconds == null) {
      stopped.await();
    } else if (!stopped.await(durationSeconds, TimeUnit.SECONDS)) {
      out.println("marginflow demo: duration reached, stopping");
      out.flush();
    }
    return 0;
  }
}

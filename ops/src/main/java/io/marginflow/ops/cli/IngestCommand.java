package io.marginflow.ops.cli;

import io.marginflow.ops.ingest.IngestConfig;
import io.marginflow.ops.ingest.IngestGateway;
import io.marginflow.topology.config.MarginflowConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code marginflow ingest}: the stateless ingest gateway (OTLP/HTTP traces and JSON usage to the usage topic). */
@Command(name = "ingest", mixinStandardHelpOptions = true,
    description = {"Run the ingest gateway (OTLP/HTTP traces and JSON usage to the usage topic).",
        "OTLP/HTTP on ingest.port (4318) at POST /v1/traces (protobuf or JSON, gzip), " +
        "mapped from the OpenTelemetry GenAI conventions, and POST /v1/usage (TokenUsage JSON), produced to the usage",
        "topic of the cluster the configuration names. Stateless: run as many as you like behind a load balancer.",
        "Settings: defaults < --config file < MARGINFLOW_* environment < --set key=value."})
final class IngestCommand implements Callable<Integer> {
  @Option(names = "--config", description = "Java properties file: the cluster settings (README, Configuration) and ingest.*; "
      + "repeatable, a later file wins.")
  private List<Path> configs = new ArrayList<>();

  @Option(names = "--set", description = "A setting, key=value (repeatable).")
  private Map<String, String> overrides = new LinkedHashMap<>();

  @Override
  public Integer call() throws Exception {
    Map<String, String> file = ConfigFiles.read(configs);
    IngestConfig ingest = IngestConfig.from(file, System.getenv(), overrides);
    MarginflowConfig settings = MarginflowConfig.load(IngestConfig.others(file), System.getenv(), IngestConfig.others(overrides));
    CountDownLatch stopped = new CountDownLatch(1);
    IngestGateway gateway = IngestGateway.start(settings, ingest);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      gateway.close();
      stopped.countDown();
    }, "marginflow-ingest-shutdown"));
    stopped.await();
    return 0;
  }
}

package io.marginflow.ops.cli;

import io.marginflow.ops.replay.ScenarioLoad;
import io.marginflow.topology.config.MarginflowConfig;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.common.config.ConfigException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code marginflow produce}: load a scenario into an existing cluster for a running pipeline (SPEC 7). */
@Command(name = "produce", mixinStandardHelpOptions = true,
    description = {"Write a scenario into an existing Kafka cluster, the way replay does.",
        "Reference data first, then usage and " +
        "power rows in file order with tick records, and closing ticks that let every window of the scenario close.",
        "A running pipeline ('marginflow run') computes it. Prints the records written per topic."})
final class ProduceCommand implements Callable<Integer> {
  @Spec
  private CommandSpec spec;

  @picocli.CommandLine.Mixin
  private ClientProperties cluster;

  @Option(names = "--scenario", required = true, description = "Scenario folder (usage.csv, power.csv, nodes.csv, ...).")
  private Path scenario;


  @Option(names = "--schema-registry", required = true, description = "Schema registry URL(s), comma-separated.")
  private String registryUrl;


  @Option(names = "--config", description = "marginflow settings file: topic names, attribution.grace, margins.windows, "
      + "registry credentials (basic.auth.*).")
  private Path config;

  @Option(names = "--no-close", description = "Do not send the closing ticks: the last windows stay open for more data.")
  private boolean noClose;

  @Override
  public Integer call() throws Exception {
    if (!Files.isDirectory(scenario)) {
      throw new ConfigException("--scenario", scenario.toString(), "not a directory");
    }
    MarginflowConfig settings = ConfigFiles.pipeline(config, Map.of(
        MarginflowConfig.BOOTSTRAP_SERVERS, cluster.bootstrapServers, MarginflowConfig.SCHEMA_REGISTRY_URL, registryUrl));
    PrintWriter out = spec.commandLine().getOut();
    Map<String, Long> written = ScenarioLoad.run(scenario, settings,
        cluster.client(), !noClose, System.err);
    long total = 0;
    for (Map.Entry<String, Long> e : written.entrySet()) {
      out.printf("%-30s %,12d records%n", e.getKey(), e.getValue());
      total += e.getValue();
    }
    out.printf("%-30s %,12d records%s%n", "total", total, noClose ? " (no closing ticks)" : " and closing ticks");
    out.flush();
    return 0;
  }
}

package io.marginflow.ops.cli;

import io.marginflow.topology.app.MarginflowService;
import io.marginflow.topology.config.MarginflowConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code marginflow run}: one production instance against real Kafka and a real schema registry. */
@Command(name = "run", mixinStandardHelpOptions = true,
    description = {"Run one marginflow instance (pipeline, query API, dashboard) against the cluster the configuration names.",
        "Settings: defaults < --config file < MARGINFLOW_* environment < --set key=value."})
final class RunCommand implements Callable<Integer> {
  /** Exit status when the Kafka Streams client fails. */
  static final int FAILED = 70;

  @Option(names = "--config", description = "Java properties file of settings (see README, Configuration); repeatable, a "
      + "later file wins (e.g. the settings, then the credentials from a Secret).")
  private List<Path> configs = new ArrayList<>();

  @Option(names = "--set", description = "A setting, key=value (repeatable).")
  private Map<String, String> overrides = new LinkedHashMap<>();

  @Override
  public Integer call() throws Exception {
    MarginflowConfig settings = ConfigFiles.pipeline(configs, overrides);
    CompletableFuture<Integer> exit = new CompletableFuture<>();
    MarginflowService service = MarginflowService.start(settings);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      service.close();
      exit.complete(0);
    }, "marginflow-shutdown"));
    // A failed Kafka Streams client does not heal in place: exit non-zero so that the supervisor (systemd,
    // Kubernetes) starts a fresh process, which restores what it must (docs/RELIABILITY.md).
    service.app().failed().thenRun(() -> exit.complete(FAILED));
    int code = exit.get();
    if (code == FAILED) {
      System.err.println("marginflow: Kafka Streams failed (see the log); exiting with status " + FAILED);
      service.close();
    }
    return code;
  }
}

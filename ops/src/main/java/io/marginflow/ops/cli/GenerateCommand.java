package io.marginflow.ops.cli;

import io.marginflow.ops.scenario.GeneratorOptions;
import io.marginflow.ops.scenario.ScenarioGenerator;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code marginflow generate}: a realistic scenario directory for replay, tests and benchmarks. */
@Command(name = "generate", mixinStandardHelpOptions = true,
    description = "Write a realistic scenario (usage, power, nodes, price book, energy prices, budgets) for 'replay'.")
final class GenerateCommand implements Callable<Integer> {
  @Spec
  private CommandSpec spec;

  @Mixin
  private FleetOptions fleet;

  @Option(names = "--out", required = true, description = "Scenario folder to write.")
  private Path out;

  @Option(names = "--hours", defaultValue = "2", description = "Length in hours (default: ${DEFAULT-VALUE}).")
  private int hours;

  @Option(names = "--start", description = "Start instant, ISO-8601 (default: 2026-01-05T00:00:00Z).")
  private Instant start;

  @Option(names = "--from-trace", description = "Azure LLM inference trace CSV (TIMESTAMP,ContextTokens,GeneratedTokens) "
      + "for arrival times and token counts.")
  private Path trace;

  @Override
  public Integer call() throws Exception {
    GeneratorOptions options = new GeneratorOptions(fleet.tenants, fleet.nodes, hours, fleet.seed,
        start == null ? GeneratorOptions.DEFAULT_START : start, fleet.rate(), trace);
    int rows = new ScenarioGenerator(options).write(out);
    spec.commandLine().getOut().printf("wrote %s: %,d usage rows, %d tenants, %d nodes, %d h%n", out.toAbsolutePath(), rows,
        fleet.tenants, fleet.nodes, hours);
    return 0;
  }
}

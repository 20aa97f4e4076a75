package io.marginflow.bench;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code marginflow bench}: benchmarks whose last output line is one JSON object of their figures. */
@Command(name = "marginflow bench", mixinStandardHelpOptions = true,
    description = "Benchmarks of marginflow on this machine; each prints a table, then one JSON line of its figures.",
    subcommands = {ThroughputBench.class, MemoryBench.class, HttpBench.class, AlertBench.class, LakeBench.class, JmhBench.class,
        CommandLine.HelpCommand.class})
public final class BenchCli implements Runnable {
  @Spec
  private CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** The process entry point; the only place that exits the JVM. */
  public static void main(String[] args) {
    System.exit(new CommandLine(new BenchCli()).execute(args));
  }
}

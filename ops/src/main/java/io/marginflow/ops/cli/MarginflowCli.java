package io.marginflow.ops.cli;

import org.apache.kafka.common.config.ConfigException;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** The {@code marginflow} command line: {@code bin/marginflow <command> --help} explains each command. */
@Command(name = "marginflow", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
    description = "Real-time unit economics for AI inference: per-tenant margins, budget alerts and dynamic pricing on Kafka Streams.",
    subcommands = {DemoCommand.class, RunCommand.class, BrokerCommand.class, TopicsCommand.class, GenerateCommand.class,
        ReplayCommand.class, BacktestCommand.class, ProduceCommand.class, IngestCommand.class, ConnectCommand.class, SqlCommand.class,
        TickCommand.class,
        CommandLine.HelpCommand.class},
    footer = {"", "  bench      Benchmarks (throughput, memory, alerts, http, jmh), each against a",
        "             baseline measured in the same run: bin/marginflow bench --help"})
public final class MarginflowCli implements Runnable {
  @Spec
  private CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** The process entry point; the only place that exits the JVM. */
  public static void main(String[] args) {
    int code = commandLine().execute(args);
    System.exit(code);
  }

  /** The configured command line, for the launcher and for tests. */
  public static CommandLine commandLine() {
    return new CommandLine(new MarginflowCli()).setCaseInsensitiveEnumValuesAllowed(true)
        // Durations as the settings write them (500ms, 30m, 2h, 7d) as well as ISO-8601 (PT30M), in every command.
        .registerConverter(java.time.Duration.class, io.marginflow.topology.config.Durations::parse)
        .setExecutionExceptionHandler((e, cmd, parsed) -> {
          // A clear one-line error for the user; the stack trace only at debug level.
          cmd.getErr().println("marginflow " + cmd.getCommandName() + ": error: " + e.getMessage());
          LoggerFactory.getLogger(MarginflowCli.class).debug("Command failed", e);
          return e instanceof ConfigException ? 2 : 1;
        });
  }
}

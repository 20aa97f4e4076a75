package io.marginflow.ops.cli;

import io.marginflow.ops.embedded.EmbeddedStack;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code marginflow broker}: the embedded KRaft broker and schema registry, until Ctrl-C. */
@Command(name = "broker", mixinStandardHelpOptions = true,
    description = "Start the embedded single-node Kafka broker (KRaft) and schema registry and print their addresses until Ctrl-C.")
final class BrokerCommand implements Callable<Integer> {
  @Spec
  private CommandSpec spec;

  @Option(names = "--state-dir", defaultValue = "state/broker",
      description = "Folder for broker data and schemas (default: ${DEFAULT-VALUE}).")
  private Path stateDir;

  @Option(names = "--kafka-port", defaultValue = "9092",
      description = "Broker port on localhost, 0 for any free port (default: ${DEFAULT-VALUE}).")
  private int kafkaPort;

  @Option(names = "--registry-port", defaultValue = "8081",
      description = "Schema registry port, 0 for any free port (default: ${DEFAULT-VALUE}).")
  private int registryPort;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    CountDownLatch stopped = new CountDownLatch(1);
    EmbeddedStack stack = EmbeddedStack.start(stateDir, kafkaPort, registryPort);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      stack.close();
      stopped.countDown();
    }, "marginflow-broker-shutdown"));
    out.println("marginflow embedded stack is up");
    out.println("  bootstrap.servers    " + stack.bootstrapServers());
    out.println("  schema.registry.url  " + stack.registryUrl());
    out.println("  state                " + stateDir.toAbsolutePath());
    out.println("Create the topics with: bin/marginflow topics apply --bootstrap-server " + stack.bootstrapServers());
    out.println("Press Ctrl-C to stop.");
    out.flush();
    stopped.await();
    return 0;
  }
}

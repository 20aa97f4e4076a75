package io.marginflow.ops.cli;

import io.marginflow.ops.topics.TopicProvisioner;
import io.marginflow.topology.TopicCatalog;
import io.marginflow.topology.config.Topics;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.admin.Admin;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code marginflow topics apply}: create or check the declared topics on any cluster. */
@Command(name = "topics", mixinStandardHelpOptions = true, description = "Manage the topics marginflow declares.",
    subcommands = {TopicsCommand.Apply.class})
final class TopicsCommand implements Runnable {
  @Spec
  private CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  @Command(name = "apply", mixinStandardHelpOptions = true,
      description = {"Create missing topics and align the configs of existing ones with their declarations (idempotent).",
          "Exit code 0 when everything matches, 2 when a problem (partition or replication mismatch, or drift with --check)",
          "remains. With --replication-factor 3 or more, every topic also gets min.insync.replicas=2."})
  static final class Apply implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @picocli.CommandLine.Mixin
    private ClientProperties cluster;



    @Option(names = "--replication-factor", defaultValue = "-1",
      description = "Replication factor of new topics; -1 uses the broker default.")
    private short replicationFactor;

    @Option(names = "--check",
      description = "Only report; create and change nothing.")
    private boolean checkOnly;

    @Option(names = "--config", description = "marginflow settings file: topic names (topic.*), margins.topic-retention.")
    private Path settings;

    @Override
    public Integer call() throws Exception {
      PrintWriter out = spec.commandLine().getOut();
      TopicCatalog catalog = Topics.catalog(ConfigFiles.pipeline(settings, Map.of()));
      try (Admin admin = Admin.create(cluster.client())) {
        io.marginflow.topology.app.BrokerReach.require(admin, cluster.bootstrapServers,
            io.marginflow.topology.app.BrokerReach.DEFAULT_WAIT);
        List<TopicProvisioner.Result> results = new TopicProvisioner(admin, replicationFactor).apply(catalog.all(), checkOnly);
        for (TopicProvisioner.Result r : results) {
          out.printf("%-16s %-34s %s%n", r.outcome(), r.topic(), r.detail());
        }
        long problems = results.stream().filter(TopicProvisioner.Result::isProblem).count();
        out.printf("%d topics, %d problem(s)%n", results.size(), problems);
        return problems == 0 ? 0 : 2;
      }
    }
  }
}

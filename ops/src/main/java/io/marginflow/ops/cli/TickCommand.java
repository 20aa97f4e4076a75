package io.marginflow.ops.cli;

import io.marginflow.topology.config.Topics;
import io.marginflow.topology.ingest.Ticks;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code marginflow tick}: writes SPEC 1 tick records by hand, for a partition whose producer is gone (a decommissioned
 * node's power partition) and holds every window open (docs/RUNBOOK.md, "A stuck watermark").
 */
@Command(name = "tick", mixinStandardHelpOptions = true,
    description = {"Write tick records by hand for a partition whose producer is gone.",
        "Tick records (key and value null, header marginflow.tick) go to partitions of the usage and/or " +
        "power topic, saying that no event before --at will come there. Only for a partition whose producer is gone:",
        "a live producer's events older than the tick minus attribution.grace would become late."})
final class TickCommand implements Callable<Integer> {
  @Spec
  private CommandSpec spec;

  @picocli.CommandLine.Mixin
  private ClientProperties cluster;



  @Option(names = "--config", description = "marginflow settings file (topic names).")
  private Path config;

  @Option(names = "--source", defaultValue = "power", description = "usage, power or both (default: ${DEFAULT-VALUE}).")
  private String source;

  @Option(names = "--partition", description = "Partition to tick (repeatable; default: every partition).")
  private List<Integer> partitions = new ArrayList<>();

  @Option(names = "--at", defaultValue = "now", description = "Event time reached: an ISO-8601 instant, or now "
      + "(default: ${DEFAULT-VALUE}).")
  private String at;

  @Override
  public Integer call() throws Exception {
    Topics topics = Topics.from(ConfigFiles.pipeline(config, Map.of()));
    List<String> targets = switch (source) {
      case "usage" -> List.of(topics.usage());
      case "power" -> List.of(topics.power());
      case "both" -> List.of(topics.usage(), topics.power());
      default -> throw new ConfigException("--source", source, "usage, power or both");
    };
    long atMs;
    try {
      atMs = at.equals("now") ? System.currentTimeMillis() : Instant.parse(at).toEpochMilli();
    } catch (java.time.format.DateTimeParseException e) {
      throw new ConfigException("--at", at, "an ISO-8601 instant such as 2026-11-26T10:00:00Z, or now");
    }
    PrintWriter out = spec.commandLine().getOut();
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(cluster.client(),
        new ByteArraySerializer(), new ByteArraySerializer())) {
      List<Future<RecordMetadata>> sent = new ArrayList<>();
      for (String topic : targets) {
        int count = producer.partitionsFor(topic).size();
        for (int p = 0; p < count; p++) {
          if (partitions.isEmpty() || partitions.contains(p)) {
            sent.add(producer.send(Ticks.record(topic, p, atMs)));
          }
        }
      }
      for (Future<RecordMetadata> f : sent) {
        RecordMetadata m = f.get();
        out.printf("ticked %s-%d at %s (offset %d)%n", m.topic(), m.partition(), Instant.ofEpochMilli(atMs), m.offset());
      }
    }
    out.flush();
    return 0;
  }
}

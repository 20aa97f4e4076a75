package io.marginflow.ops.connect;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.connect.cli.ConnectStandalone;
import org.apache.kafka.connect.runtime.Connect;
import org.apache.kafka.connect.runtime.Herder;
import org.apache.kafka.connect.runtime.rest.entities.ConnectorInfo;
import org.apache.kafka.connect.runtime.standalone.StandaloneHerder;
import org.apache.kafka.connect.util.FutureCallback;

/**
 * A standalone Kafka Connect worker in this process, as the demo and {@code bin/marginflow connect} run it: marginflow's
 * connectors found through their ServiceLoader manifests, string keys and byte values (the connectors speak the
 * Confluent wire format themselves), source offsets in a file.
 */
public final class StandaloneWorker {
  private StandaloneWorker() {
  }

  /** The worker settings marginflow's connectors need; {@code listeners} is the REST API's (e.g. http://127.0.0.1:0). */
  public static Map<String, String> settings(String bootstrapServers, Path offsetsFile, String listeners) {
    Map<String, String> w = common(bootstrapServers, listeners);
    w.put("offset.storage.file.filename", offsetsFile.toString());
    return w;
  }

  /** What a standalone and a distributed worker of marginflow's connectors share. */
  static Map<String, String> common(String bootstrapServers, String listeners) {
    Map<String, String> w = new HashMap<>();
    w.put("bootstrap.servers", bootstrapServers);
    w.put("key.converter", "org.apache.kafka.connect.storage.StringConverter");
    w.put("value.converter", "org.apache.kafka.connect.converters.ByteArrayConverter");
    w.put("listeners", listeners);
    w.put("plugin.discovery", "service_load");
    w.put("offset.flush.interval.ms", "1000");
    // Connect stops a source task only once its poll() returns; a scrape in progress may take scrape.timeout.ms (5 s)
    // plus the send. Past this, the worker gives up on the task, stops the offset store under it, and the task's final
    // offset commit fails (its next start would repeat or lose an interval).
    w.put("task.shutdown.graceful.timeout.ms", "15000");
    return w;
  }

  /** Starts a worker with {@code settings}, creating the folder of its offsets file. */
  public static Connect<StandaloneHerder> start(Map<String, String> settings) throws IOException {
    Path offsets = Path.of(settings.get("offset.storage.file.filename")).toAbsolutePath();
    Files.createDirectories(offsets.getParent());
    return new ConnectStandalone().startConnect(settings);
  }

  /** Creates or updates the connector {@code config} names, and waits (60 s at most) until the worker has it. */
  public static ConnectorInfo startConnector(Connect<StandaloneHerder> connect, Map<String, String> config)
      throws Exception {
    FutureCallback<Herder.Created<ConnectorInfo>> created = new FutureCallback<>();
    connect.herder().putConnectorConfig(config.get("name"), config, true, created);
    return created.get(60, TimeUnit.SECONDS).result();
  }
}

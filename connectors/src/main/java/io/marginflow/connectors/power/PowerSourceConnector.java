package io.marginflow.connectors.power;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.source.ExactlyOnceSupport;
import org.apache.kafka.connect.source.SourceConnector;

/**
 * Kafka Connect source of GPU power: scrapes NVIDIA DCGM exporter or Kepler endpoints (Prometheus text) every
 * interval and writes one SPEC 1 PowerSample per physical GPU per interval, integrated from the energy counter when
 * there is one. The endpoints are shared among the tasks. Example configurations: connectors/config/.
 */
public final class PowerSourceConnector extends SourceConnector {
  static final String VERSION = "0.1.0";
  private Map<String, String> props;

  @Override
  public void start(Map<String, String> props) {
    new PowerSourceConfig(props);
    this.props = Map.copyOf(props);
  }

  @Override
  public Class<? extends Task> taskClass() {
    return PowerSourceTask.class;
  }

  /** Endpoints dealt round-robin to at most {@code maxTasks} tasks; every task ticks every partition. */
  @Override
  public List<Map<String, String>> taskConfigs(int maxTasks) {
    List<String> endpoints = new PowerSourceConfig(props).getList(PowerSourceConfig.ENDPOINTS);
    int tasks = Math.min(maxTasks, endpoints.size());
    List<Map<String, String>> out = new ArrayList<>();
    for (int t = 0; t < tasks; t++) {
      int task = t;
      Map<String, String> config = new HashMap<>(props);
      config.put(PowerSourceConfig.ENDPOINTS, java.util.stream.IntStream.range(0, endpoints.size())
          .filter(i -> i % tasks == task).mapToObj(endpoints::get).collect(Collectors.joining(",")));
      out.add(config);
    }
    return out;
  }

  /** Each record carries its source offset (the GPU's counter and scrape time): with a worker's exactly-once source
   * support, a sample and its offset commit together, so a restart neither loses nor repeats an interval. */
  @Override
  public ExactlyOnceSupport exactlyOnceSupport(Map<String, String> connectorConfig) {
    return ExactlyOnceSupport.SUPPORTED;
  }

  @Override
  public void stop() {
    // nothing held
  }

  @Override
  public ConfigDef config() {
    return PowerSourceConfig.DEF;
  }

  @Override
  public String version() {
    return VERSION;
  }
}

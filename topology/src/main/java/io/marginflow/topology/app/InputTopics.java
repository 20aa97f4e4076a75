package io.marginflow.topology.app;

import io.marginflow.topology.config.MarginflowConfig;
import io.marginflow.topology.config.Topics;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigException;

/** Start-up's check of the input topics: usage and power co-partitioned, the per-partition internal topics alike. */
final class InputTopics {
  private InputTopics() {
  }

  /** The partition count of the inputs; fails naming the topic and setting when the counts disagree. */
  static int partitions(Admin admin, MarginflowConfig config) {
    Topics t = Topics.from(config);
    // Topics read or written per input partition: they must have as many partitions as the inputs.
    Map<String, String> perPartition = new java.util.LinkedHashMap<>();
    perPartition.put("pricing-feedback", t.pricingFeedback());
    perPartition.put("cost-slices", t.costSlices());
    try {
      List<String> names = new java.util.ArrayList<>(List.of(t.usage(), t.power()));
      names.addAll(perPartition.values());
      Map<String, TopicDescription> d = admin.describeTopics(names).allTopicNames().get(60, TimeUnit.SECONDS);
      int usage = d.get(t.usage()).partitions().size();
      int power = d.get(t.power()).partitions().size();
      if (usage != power) {
        throw new ConfigException("topic.usage / topic.power", t.usage() + "=" + usage + ", " + t.power() + "=" + power,
            "usage and power topics must have the same number of partitions (attribution co-partitions them by node)");
      }
      for (Map.Entry<String, String> e : perPartition.entrySet()) {
        int n = d.get(e.getValue()).partitions().size();
        if (n != usage) {
          throw new ConfigException(MarginflowConfig.TOPIC_PREFIX + e.getKey(), e.getValue() + "=" + n, "must have as many "
              + "partitions as the input topics (" + usage + "): it is read or written per input partition");
        }
      }
      return usage;
    } catch (ExecutionException e) {
      throw new ConfigException(MarginflowConfig.BOOTSTRAP_SERVERS, config.getString(MarginflowConfig.BOOTSTRAP_SERVERS),
          "cannot describe the topics " + t.usage() + ", " + t.power() + ", " + String.join(", ", perPartition.values())
              + " (run 'marginflow topics apply'): "
              + e.getCause());
    } catch (TimeoutException e) {
      throw new ConfigException(MarginflowConfig.BOOTSTRAP_SERVERS, config.getString(MarginflowConfig.BOOTSTRAP_SERVERS),
          "no Kafka cluster answered within 60 s");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}

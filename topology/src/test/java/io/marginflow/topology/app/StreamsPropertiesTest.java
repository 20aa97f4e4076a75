package io.marginflow.topology.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.marginflow.topology.config.MarginflowConfig;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

/** What Kafka Streams and its clients are given, read back through StreamsConfig as Kafka Streams reads it. */
class StreamsPropertiesTest {

  @Test
  void shouldShortenTheAssignorsBackoffAndLeaveTheOtherClientsAtTheirDefault() {
    StreamsConfig streams = new StreamsConfig(StreamsProperties.of(config(Map.of()), 0));
    // The partition assignor, which creates the internal topics, reads the main consumer's configuration.
    assertEquals(10L, streams.getMainConsumerConfigs("g", "c", 0).get(CommonClientConfigs.RETRY_BACKOFF_MS_CONFIG));
    assertNull(streams.getRestoreConsumerConfigs("c").get(CommonClientConfigs.RETRY_BACKOFF_MS_CONFIG)); // the client default
    assertNull(streams.getGlobalConsumerConfigs("c").get(CommonClientConfigs.RETRY_BACKOFF_MS_CONFIG)); // the client default
    assertNull(streams.getProducerConfigs("c").get(CommonClientConfigs.RETRY_BACKOFF_MS_CONFIG)); // the client default
    assertNull(streams.getAdminConfigs("c").get(CommonClientConfigs.RETRY_BACKOFF_MS_CONFIG)); // the client default
  }

  @Test
  void shouldApplyAnOperatorsBackoffToStreamsAndClientsAlike() {
    StreamsConfig streams = new StreamsConfig(StreamsProperties.of(
        config(Map.of("kafka." + CommonClientConfigs.RETRY_BACKOFF_MS_CONFIG, "500")), 0));
    assertEquals(500L, Long.parseLong(String.valueOf(
        streams.getMainConsumerConfigs("g", "c", 0).get(CommonClientConfigs.RETRY_BACKOFF_MS_CONFIG))));
    assertEquals(500L, Long.parseLong(String.valueOf(
        streams.getProducerConfigs("c").get(CommonClientConfigs.RETRY_BACKOFF_MS_CONFIG))));
  }

  private static MarginflowConfig config(Map<String, String> extra) {
    Map<String, String> m = new HashMap<>(Map.of(MarginflowConfig.APPLICATION_ID, "app", MarginflowConfig.BOOTSTRAP_SERVERS,
        "localhost:9092"));
    m.putAll(extra);
    return MarginflowConfig.of(m);
  }
}

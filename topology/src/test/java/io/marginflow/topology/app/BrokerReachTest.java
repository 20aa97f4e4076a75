package io.marginflow.topology.app;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class BrokerReachTest {

  @Test
  void shouldNameTheAddressTheSettingAndHowToStartABrokerWhenNoneAnswers() throws Exception {
    int port;
    try (ServerSocket free = new ServerSocket(0)) {
      port = free.getLocalPort();
    }
    String bootstrap = "127.0.0.1:" + port;
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "200"))) {
      ConfigException e = assertThrows(ConfigException.class,
          () -> BrokerReach.require(admin, bootstrap, Duration.ofSeconds(2)));
      assertTrue(e.getMessage().contains(bootstrap) && e.getMessage().contains("bootstrap.servers")
          && e.getMessage().contains("bin/marginflow broker"), e.getMessage());
    }
  }
}

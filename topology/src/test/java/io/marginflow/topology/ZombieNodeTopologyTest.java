package io.marginflow.topology;

import static io.marginflow.topology.TopologyFixture.H;
import static io.marginflow.topology.TopologyFixture.HOUR;
import static io.marginflow.topology.TopologyFixture.request;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.marginflow.avro.CapacityAlert;
import io.marginflow.avro.CapacityAlertKind;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

/**
 * ZOMBIE_NODE (SPEC 6): a node whose cost over a closed hour went at least 95 % to __idle__. By hand: each minute of
 * hour H, both nodes draw 500 W for four 15 s samples (30,000 J; 0.01 kWh at PUE 1.2, 0.001 USD at the default 0.10
 * USD/kWh) plus the fixed cost (250,000 USD over 4 x 8,766 h, plus 2.50 USD/h, for one minute: 0.160496996 USD), so
 * every bucket costs C = 0.161496996 USD. Node n1 serves one request, in its first minute: 59 of its 60 buckets go to
 * __idle__. Node n2 serves a request every minute.
 */
class ZombieNodeTopologyTest {

  @Test
  void shouldAlertTheNodeThatServedNothingForMostOfTheHour() {
    try (TopologyFixture f = new TopologyFixture()) {
      f.node("n1", "eu-west", "250000", 4, 1.2, "2.50");
      f.node("n2", "eu-west", "250000", 4, 1.2, "2.50");
      f.price("m", "2", "1", "10");
      for (int minute = 0; minute < 60; minute++) {
        long bucket = H + minute * 60_000L;
        for (String node : List.of("n1", "n2")) {
          for (int s = 0; s < 4; s++) {
            f.watts(node, "0", bucket + s * 15_000L, 15_000, 500);
          }
        }
        f.send(request("n2-" + minute, bucket + 1_000, "A", "m", "n2", 1000, 0, 100));
        if (minute == 0) {
          f.send(request("n1-0", bucket + 2_000, "A", "m", "n1", 1000, 0, 100));
        }
      }
      f.closeEverythingAfter(H + HOUR);
      List<CapacityAlert> alerts = f.driver.createOutputTopic(f.config.topics().alertsCapacity(), new StringDeserializer(),
          f.serdes.value(CapacityAlert.class).deserializer()).readValuesToList();
      assertEquals(1, alerts.size(), alerts.toString());
      CapacityAlert a = alerts.get(0);
      assertEquals(CapacityAlertKind.ZOMBIE_NODE, a.getKind());
      assertEquals("n1", a.getNodeId());
      assertEquals(Instant.ofEpochMilli(H), a.getWindowStartMs());
      assertEquals(Instant.ofEpochMilli(H + HOUR), a.getWindowEndMs());
      assertEquals(new BigDecimal("9.689819760"), a.getNodeCostUsd(), "60 x C");
      assertEquals(new BigDecimal("9.528322764"), a.getIdleCostUsd(), "59 x C");
      assertEquals(59.0 / 60, a.getIdleShare(), 1e-12);
      assertEquals(Instant.ofEpochMilli(H + HOUR), a.getObservedAtMs());
    }
  }
}

package io.marginflow.topology.pricing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.marginflow.avro.internal.MultiplierDecision;
import io.marginflow.registry.RegistryClientConfig;
import io.marginflow.topology.domain.PricingNormal;
import io.marginflow.topology.serde.MarginflowSerdes;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.Test;

class MultiplierDecisionsTest {
  private static final String TOPIC = "app-pricing-multiplier-store-changelog";
  private final Serde<MultiplierDecision> serde = MultiplierDecisions.serde(
      new MarginflowSerdes(Map.of(RegistryClientConfig.URL, "mock://multiplier-decisions")).value(MultiplierDecision.class));

  @Test
  void shouldKeepADecisionThroughTheStoreSerde() {
    MultiplierDecision d = MultiplierDecisions.decision(new BigDecimal("1.0425"), 7_200_000L, BigDecimal.ONE);
    byte[] bytes = serde.serializer().serialize(TOPIC, d);
    assertEquals(0, bytes[0], "Confluent wire format");
    MultiplierDecision back = serde.deserializer().deserialize(TOPIC, bytes);
    assertEquals(new BigDecimal("1.042500000"), back.getLatest());
    assertEquals(7_200_000L, back.getEffectiveFromMs());
    assertEquals(new BigDecimal("1.000000000"), back.getBefore());
  }

  @Test
  void shouldReadTheTextAnEarlierReleaseKept() {
    byte[] old = "0.9750|3600000|1.0425".getBytes(StandardCharsets.UTF_8);
    MultiplierDecision d = serde.deserializer().deserialize(TOPIC, old);
    assertEquals(new BigDecimal("0.975000000"), d.getLatest());
    assertEquals(3_600_000L, d.getEffectiveFromMs());
    assertEquals(new BigDecimal("1.042500000"), d.getBefore());
  }

  @Test
  void shouldApplyTheLatestFromItsEffectiveTimeAndTheOneBeforeUntilThen() {
    MultiplierDecision d = MultiplierDecisions.decision(new BigDecimal("1.1"), 3_600_000L, new BigDecimal("0.9"));
    assertEquals(0, new BigDecimal("0.9").compareTo(MultiplierDecisions.at(d, 3_599_999L)));
    assertEquals(0, new BigDecimal("1.1").compareTo(MultiplierDecisions.at(d, 3_600_000L)));
    assertEquals(0, BigDecimal.ONE.compareTo(MultiplierDecisions.at(MultiplierDecisions.none(), 0L)));
  }

  @Test
  void shouldKeepTheMarginalCostLawsNormalWithTheDecisionAndNotMeasuredFiguresAsNull() {
    MultiplierDecision d = MultiplierDecisions.decision(new BigDecimal("1.05"), 3_600_000L, BigDecimal.ONE);
    assertNull(MultiplierDecisions.normal(d), "none before the first interval");
    PricingNormal normal = new PricingNormal(0.42, 12.5, Double.NaN, 0.15, 300_000L);
    MultiplierDecision kept = serde.deserializer().deserialize(TOPIC, serde.serializer().serialize(TOPIC,
        MultiplierDecisions.withNormal(d, normal)));
    assertNull(kept.getNormalListRevenueUsd(), "NaN is kept as null");
    assertEquals(normal, MultiplierDecisions.normal(kept));
    assertEquals(new BigDecimal("1.050000000"), kept.getLatest());
    MultiplierDecision next = MultiplierDecisions.decision(new BigDecimal("1.1"), 3_900_000L, new BigDecimal("1.05"));
    assertEquals(normal, MultiplierDecisions.normal(MultiplierDecisions.withNormalOf(next, kept)));
    assertEquals(next, MultiplierDecisions.withNormalOf(next, d), "nothing to carry");
  }

  @Test
  void shouldRefuseTextThatIsNotADecision() {
    assertThrows(IllegalArgumentException.class, () -> MultiplierDecisions.fromText("1.05|3600000"));
  }
}

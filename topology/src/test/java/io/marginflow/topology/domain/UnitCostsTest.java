package io.marginflow.topology.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.math.BigDecimal;
import org.junit.jupiter.api.Test;

class UnitCostsTest {
  @Test
  void shouldScaleToAMillionTokensRoundingHalfEvenToNineDecimals() {
    assertEquals(new BigDecimal("0.500000000"), UnitCosts.perMillion(new BigDecimal("1.5"), 3_000_000));
    assertEquals(new BigDecimal("337.500000000"), UnitCosts.perMillion(new BigDecimal("0.2025"), 600));
    assertEquals(new BigDecimal("96.428571429"), UnitCosts.perMillion(new BigDecimal("0.2025"), 2_100));
    assertEquals(new BigDecimal("0.333333333"), UnitCosts.perMillion(BigDecimal.ONE, 3_000_000));
  }

  @Test
  void shouldHaveNoUnitCostWithoutTokens() {
    assertNull(UnitCosts.perMillion(BigDecimal.TEN, 0));
  }
}

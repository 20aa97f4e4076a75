package io.marginflow.ops.backtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class DemandModelTest {
  private static final DemandModel UNIT = new DemandModel(new BigDecimal("-1"), new BigDecimal("0.5"));

  @Test
  void shouldScaleDemandByTheMultiplierToTheElasticity() {
    assertEquals(2.0, UNIT.scale("m", new BigDecimal("0.5")), 1e-15, "half the price, e=-1: twice the requests");
    assertEquals(0.5, new DemandModel(new BigDecimal("-0.5"), BigDecimal.ZERO).scale("m", new BigDecimal("4")), 1e-15);
    assertEquals(1.0, DemandModel.FIXED.scale("m", new BigDecimal("1.5")), 0);
    DemandModel perModel = new DemandModel(new BigDecimal("-1"), BigDecimal.ZERO, Map.of("code", new BigDecimal("-2")));
    assertEquals(4.0, perModel.scale("code", new BigDecimal("0.5")), 1e-15, "its own elasticity: 0.5^-2 = 4");
    assertEquals(2.0, perModel.scale("chat", new BigDecimal("0.5")), 1e-15, "the default for the others");
    assertTrue(new DemandModel(BigDecimal.ZERO, BigDecimal.ZERO, Map.of("code", BigDecimal.ZERO)).fixed());
  }

  @Test
  void shouldTurnAFactorIntoWholeRequestsByTheDraw() {
    assertEquals(1, DemandModel.copies(0.5, 0.49));
    assertEquals(0, DemandModel.copies(0.5, 0.5));
    assertEquals(3, DemandModel.copies(2.25, 0.2));
    assertEquals(2, DemandModel.copies(2.25, 0.25));
    assertEquals(1, DemandModel.copies(1.0, 0.999));
  }

  @Test
  void shouldMoveAShareOfThePriceGapToTheCheaperRegion() {
    // s (1 - m_cheapest / m) = 0.5 (1 - 0.5 / 1.0) = 0.25; none when the other region is not cheaper.
    assertEquals(0.25, UNIT.moveShare(BigDecimal.ONE, new BigDecimal("0.5")), 1e-15);
    assertEquals(0, UNIT.moveShare(new BigDecimal("0.5"), BigDecimal.ONE));
    assertEquals(0, UNIT.moveShare(BigDecimal.ONE, BigDecimal.ONE));
  }

  @Test
  void shouldDrawTheSameUniformFromAnIdAndSaltOnEveryRun() {
    double u = DemandModel.uniform("req-1", "demand");
    assertEquals(u, DemandModel.uniform("req-1", "demand"));
    assertNotEquals(u, DemandModel.uniform("req-1", "move"));
    int below = 0;
    for (int i = 0; i < 10_000; i++) {
      double x = DemandModel.uniform("req-" + i, "demand");
      assertTrue(x >= 0 && x < 1);
      below += x < 0.3 ? 1 : 0;
    }
    assertTrue(below > 2_800 && below < 3_200, "about 30 % below 0.3: " + below);
  }

  @Test
  void shouldGiveEachCopyItsOwnShortId() {
    Set<String> ids = new HashSet<>();
    for (int n = 1; n <= 3; n++) {
      String id = DemandModel.copyId("x".repeat(128), n);
      assertEquals(39, id.length());
      ids.add(id);
    }
    assertEquals(3, ids.size());
  }

  @Test
  void shouldRefuseARisingDemandCurveOrASubstitutionOutsideZeroToOne() {
    assertThrows(ConfigException.class, () -> new DemandModel(new BigDecimal("0.5"), BigDecimal.ZERO));
    assertThrows(ConfigException.class, () -> new DemandModel(BigDecimal.ZERO, new BigDecimal("1.1")));
    assertTrue(DemandModel.FIXED.fixed());
    assertEquals("e=-1 s=0.5", UNIT.label());
    assertEquals("e=-1+1 own", new DemandModel(new BigDecimal("-1"), BigDecimal.ZERO, Map.of("code", BigDecimal.ONE
        .negate())).label(), "a model's own elasticity shows in the label (and the folder)");
  }
}

package io.marginflow.topology.domain;

import java.math.BigDecimal;

/** What one line got of its bucket's cost: nano-dollar energy and fixed cost, energy in kWh, cache savings. */
public record LineShare(BucketLine line, BigDecimal energyKwh, BigDecimal energyCostUsd, BigDecimal fixedCostUsd,
    BigDecimal cacheSavingsUsd) {

  public BigDecimal totalCostUsd() {
    return energyCostUsd.add(fixedCostUsd);
  }
}

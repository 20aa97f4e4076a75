package io.marginflow.topology.attribution;

import io.marginflow.avro.NodeProfile;
import io.marginflow.topology.domain.NodeCosts;
import java.math.BigDecimal;

/** Maps the NodeProfile record onto the domain's cost profile. */
final class NodeProfiles {
  private NodeProfiles() {
  }

  static NodeCosts costs(NodeProfile p) {
    return new NodeCosts(p.getRegion(), BigDecimal.valueOf(p.getPue()), p.getHardwareCostUsd(),
        BigDecimal.valueOf(p.getAmortizationYears()), p.getHourlyOverheadUsd());
  }
}

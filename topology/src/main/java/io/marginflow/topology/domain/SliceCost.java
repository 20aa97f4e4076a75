package io.marginflow.topology.domain;

import java.math.BigDecimal;

/**
 * One usage partition's slice of a node bucket (SPEC 3, two-level): its allocated cost and energy part (nano-dollars),
 * and the node bucket's cost C, kWh and summed weight W over every partition; {@code idle} when W = 0 and the slice
 * is {@code __idle__}'s.
 */
public record SliceCost(BigDecimal totalUsd, BigDecimal energyUsd, BigDecimal nodeCostUsd, BigDecimal nodeKwh,
    BigDecimal nodeWeight, boolean idle, String nodeRegion) {
}

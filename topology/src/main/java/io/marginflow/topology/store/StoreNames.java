package io.marginflow.topology.store;


/** Names of the topology's state stores, shared with the query layer, which reads stores by name only. */
public final class StoreNames {
  public static final String PRICEBOOK = "pricebook-store";
  public static final String NODE_PROFILES = "node-profile-store";
  public static final String ENERGY_PRICES = "energy-price-store";
  public static final String BUDGETS = "budget-store";
  /** Kept event ids (SHA-256 digests), packed in one chunk per commit, by dedup.horizon-long bucket of event time. */
  public static final String USAGE_DEDUP = "usage-dedup-chunk-store";
  /** Kept event ids, one entry per id: the releases before packed chunks. Read only, so that an upgrade is exact. */
  public static final String USAGE_DEDUP_LEGACY = "usage-dedup-bucket-store";
  public static final String USAGE_PROGRESS = "usage-progress-store";
  public static final String USAGE_LINES_FLUSH = "usage-lines-flush-store";
  /** A usage partition's lines per (bucket, node, tenant, model, region) until split. */
  public static final String USAGE_LINES = "usage-line-pack-store";
  /** The node tasks' marks as the usage partition's split has seen them. */
  public static final String SPLIT_PROGRESS = "usage-split-progress-store";
  /** The dynamic-pricing multipliers as the usage partition applies them. */
  public static final String USAGE_PRICING_SCHEDULE = "usage-pricing-schedule-store";
  /** Per (UTC day or month, tenant): revenue to date and the SPEND alerts and status already emitted. */
  public static final String BUDGET_SPEND = "budget-spend-store";
  public static final String POWER_PROGRESS = "power-progress-store";
  /** Open buckets' power per (bucket, node); their request lines are in {@link #NODE_BUCKET_LINES}. */
  public static final String NODE_BUCKETS = "node-bucket-power-store";
  public static final String NODE_BUCKETS_FLUSH = "node-bucket-power-flush-store";
  /** Open buckets' request lines, one entry per (bucket, node, tenant, model, region). */
  public static final String NODE_BUCKET_LINES = "node-bucket-line-store";
  public static final String ATTRIBUTION_PROGRESS = "attribution-progress-store";
  public static final String NODE_ENERGY = "node-energy-store";
  public static final String MARGIN_PROGRESS = "margin-progress-store";
  /** Key in {@link #MARGIN_PROGRESS}: the bucket end through which a margin partition's windows are final. */
  /** Per-tenant margin sums by pane (the windows' common step); every window is the sum of its panes. */
  public static final String TENANT_MARGIN_PANES = "tenant-margin-pane-store";
  /** Unit economics by model|m and region|r in panes of the windows' advance; queries sum the panes of a window. */
  public static final String UNIT_ECONOMICS_PANES = "unit-economics-pane-store";
  /** Per (bucket, tenant): attributed cost waiting for the bucket to be final on the margin partition. */
  public static final String BUDGET_COST_PENDING = "budget-cost-pending-store";
  /** Per (UTC day or month, tenant): attributed cost to date and the COST alerts and status already emitted. */
  public static final String BUDGET_COST = "budget-cost-store";
  /** Per (pricing interval, region): sums of the finalized buckets received so far (SPEC 9). */
  public static final String PRICING_INTERVALS = "pricing-interval-store";
  public static final String PRICING_PROGRESS = "pricing-progress-store";
  /** Per model|region: the latest multiplier decided, when it takes effect, and the one before (the pricing task). */
  public static final String PRICING_MULTIPLIERS = "pricing-multiplier-store";
  /** Per model|region|effective_from: the multipliers the attribution applies as it finalizes buckets (SPEC 9). */
  public static final String PRICING_SCHEDULE = "pricing-schedule-store";

  private StoreNames() {
  }
}

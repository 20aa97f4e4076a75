package io.marginflow.connectors.iceberg;

/**
 * The lake's tables, one Iceberg sink each: the topic a table is fed from (by its id in the topology's topic catalog,
 * and its SPEC name), the table and its partitioning (by day of the window or interval start, or of the event). Budget
 * and capacity alerts have different shapes, so they are two tables (a UNION ALL over alert_id, kind and the times
 * reads them together).
 */
public enum LakeTable {
  TENANT_MARGINS("iceberg-margins", "margins", "margins.tenant.v1", "tenant_margins", "window_start_ms"),
  BUDGET_ALERTS("iceberg-budget-alerts", "alerts-budget", "alerts.budget.v1", "budget_alerts", "observed_at_ms"),
  CAPACITY_ALERTS("iceberg-capacity-alerts", "alerts-capacity", "alerts.capacity.v1", "capacity_alerts",
      "window_start_ms"),
  PRICE_ADJUSTMENTS("iceberg-price-adjustments", "pricing", "pricing.adjustments.v1", "price_adjustments",
      "effective_from_ms"),
  UNIT_COSTS("iceberg-unit-costs", "costs", "costs.model-region.v1", "unit_costs", "interval_start_ms");

  /** The namespace of every marginflow table. */
  public static final String NAMESPACE = "marginflow";

  private final String connector;
  private final String topicId;
  private final String defaultTopic;
  private final String name;
  private final String dayOf;

  LakeTable(String connector, String topicId, String defaultTopic, String name, String dayOf) {
    this.connector = connector;
    this.topicId = topicId;
    this.defaultTopic = defaultTopic;
    this.name = name;
    this.dayOf = dayOf;
  }

  /** The sink connector's name. */
  public String connector() {
    return connector;
  }

  /** The source topic's id in the topology's topic catalog (its configured name may differ from the SPEC's). */
  public String topicId() {
    return topicId;
  }

  /** The source topic's SPEC name. */
  public String defaultTopic() {
    return defaultTopic;
  }

  /** The table's name in its namespace, as {@code bin/marginflow sql} also names it. */
  public String tableName() {
    return name;
  }

  /** namespace.name, as the sink and readers name it. */
  public String table() {
    return NAMESPACE + "." + name;
  }

  /** The Iceberg partition transform: the day of a timestamp column. */
  public String partitionBy() {
    return "day(" + dayOf + ")";
  }

  /** The timestamp column the table is partitioned by. */
  public String partitionColumn() {
    return dayOf;
  }
}

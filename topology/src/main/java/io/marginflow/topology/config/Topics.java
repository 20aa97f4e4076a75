package io.marginflow.topology.config;

/** The topic names in use (SPEC 1, 5, 6, 9); dead-letter and late topics are derived from their source's name. */
public record Topics(String usage, String power, String nodes, String pricebook, String energyPrices, String budgets,
    String margins, String alertsBudget, String budgetsStatus, String alertsCapacity, String pricing, String costs,
    String pricingFeedback, String costSlices) {

  /** The SPEC default names. */
  public static Topics defaults() {
    return from(MarginflowConfig.of(java.util.Map.of()));
  }

  public static Topics from(MarginflowConfig c) {
    String p = MarginflowConfig.TOPIC_PREFIX;
    return new Topics(c.getString(p + "usage"), c.getString(p + "power"), c.getString(p + "nodes"),
        c.getString(p + "pricebook"), c.getString(p + "energy-prices"), c.getString(p + "budgets"),
        c.getString(p + "margins"), c.getString(p + "alerts-budget"), c.getString(p + "budgets-status"),
        c.getString(p + "alerts-capacity"),
        c.getString(p + "pricing"), c.getString(p + "costs"), c.getString(p + "pricing-feedback"),
        c.getString(p + "cost-slices"));
  }

  /**
   * The declared topics as these settings want them: configured names, the margins topic's retention from
   * margins.topic-retention.
   */
  public static io.marginflow.topology.TopicCatalog catalog(MarginflowConfig c) {
    Topics names = from(c);
    String marginRetention = Long.toString(c.duration(MarginflowConfig.MARGIN_TOPIC_RETENTION).toMillis());
    io.marginflow.topology.TopicCatalog declared = io.marginflow.topology.TopicCatalog.defaults();
    return declared.map(t -> {
      io.marginflow.topology.TopicDeclaration named = t.named(names.nameOf(t));
      return t.id().equals("margins") ? named.withConfig("retention.ms", marginRetention) : named;
    });
  }

  /** The configured name of a declared topic (dead-letter and late topics follow their source). */
  public String nameOf(io.marginflow.topology.TopicDeclaration t) {
    java.util.Map<String, String> byId = new java.util.HashMap<>();
    String[] pairs = {"usage", usage, "power", power, "nodes", nodes, "pricebook", pricebook, "energy-prices", energyPrices,
        "budgets", budgets, "margins", margins, "alerts-budget", alertsBudget, "budgets-status", budgetsStatus,
        "alerts-capacity", alertsCapacity, "pricing", pricing, "costs", costs, "pricing-feedback", pricingFeedback,
        "cost-slices", costSlices};
    for (int i = 0; i < pairs.length; i += 2) {
      byId.put(pairs[i], pairs[i + 1]);
    }
    String id = t.id();
    if (id.endsWith("-dlq")) {
      return dlq(byId.getOrDefault(id.substring(0, id.length() - 4), t.name()));
    }
    if (id.endsWith("-late")) {
      return late(byId.getOrDefault(id.substring(0, id.length() - 5), t.name()));
    }
    return byId.getOrDefault(id, t.name());
  }

  public static String dlq(String source) {
    return source + ".dlq";
  }

  public static String late(String source) {
    return source + ".late";
  }
}

package io.marginflow.topology.ingest;

import io.marginflow.avro.BudgetAlert;
import io.marginflow.avro.BudgetStatus;

/**
 * The output of an ingest processor: a value for the main path; a budget alert or status for the budget topics; or
 * the original key and value bytes of a record that goes to the dead-letter or late topic (its headers carry the
 * reason).
 */
public record Routed<V>(Route route, V value, byte[] rawKey, byte[] rawValue, BudgetAlert budgetAlert,
    BudgetStatus budgetStatus) {

  public static <V> Routed<V> main(V value) {
    return new Routed<>(Route.MAIN, value, null, null, null, null);
  }

  public static <V> Routed<V> rejected(Route route, byte[] rawKey, byte[] rawValue) {
    return new Routed<>(route, null, rawKey, rawValue, null, null);
  }

  public static <V> Routed<V> alert(BudgetAlert alert) {
    return new Routed<>(Route.ALERT, null, null, null, alert, null);
  }

  public static <V> Routed<V> status(BudgetStatus status) {
    return new Routed<>(Route.STATUS, null, null, null, null, status);
  }
}

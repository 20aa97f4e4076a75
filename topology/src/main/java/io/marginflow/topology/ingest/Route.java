package io.marginflow.topology.ingest;

/** Where an ingested record goes. */
public enum Route {
  /** On to attribution. */
  MAIN,
  /** To {@code <source>.dlq}: undeserializable or invalid (SPEC 2). */
  DLQ,
  /** To {@code <source>.late}: its bucket is already finalized. */
  LATE,
  /** To {@code alerts.budget.v1}: a budget alert (SPEC 6). */
  ALERT,
  /** To {@code budgets.status.v1}: a budgeted tenant's new position (SPEC 6). */
  STATUS;

  /** The name of the ingest processor's child node that takes this route's records, for source {@code source}. */
  public String child(String source) {
    return switch (this) {
      case MAIN -> source + "-main";
      case DLQ -> source + "-dlq-bytes";
      case LATE -> source + "-late-bytes";
      case ALERT -> source + "-alerts";
      case STATUS -> source + "-status";
    };
  }
}

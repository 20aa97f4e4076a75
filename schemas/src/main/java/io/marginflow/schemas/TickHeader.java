package io.marginflow.schemas;

/** The header that marks a tick record (SPEC 1: key null, value null, record timestamp = event time reached). */
public final class TickHeader {
  public static final String NAME = "marginflow.tick";
  /** Its value; any value marks a tick. */
  public static final String VALUE = "1";

  private TickHeader() {
  }
}

package io.marginflow.topology.progress;

/**
 * Every name progress travels under, in one place: the record keys of marks on internal topics, and the markers that
 * tasks keep in their progress stores beside the inputs' low watermarks (a marker is a long under a "#" name, so it
 * commits and rolls back with the state it describes). Changing a value orphans what deployed stores hold under it.
 */
public final class Markers {
  /** Record key of a watermark or progress mark on an internal topic (partitioners route by the value, not the key). */
  public static final String PROGRESS_KEY = "__progress__";
  /** Record key of a pricing decision or a pricing partition's mark on its way back to the node and usage tasks. */
  public static final String PRICING_KEY = "__pricing__";

  /** Node task: every bucket ending at or before this time is final and sent. */
  public static final String FINALIZED_THROUGH = "#finalized-through";
  /** Margins (usage task): every window ending at or before this time is emitted. */
  public static final String MARGIN_FINAL_THROUGH = "#final-through";
  /** Margins: the first pane still held. */
  public static final String MARGIN_FIRST_PANE = "#first-pane";
  /** Margins: how many margin records were emitted (replay's completion count). */
  public static final String MARGIN_EMITTED = "#emitted";
  /** Pricing task: every interval ending at or before this time is decided. */
  public static final String PRICING_CLOSED_THROUGH = "#closed-through";
  /** Pricing task: how many decisions and unit costs were emitted (in the pricing progress store). */
  public static final String PRICING_EMITTED = "#emitted";
  /** Usage task's split: how far its pricing sums have been sent. */
  public static final String PRICING_SENT_THROUGH = "#pricing-sent-through";
  /** Usage task: the next sequence number of a line pack. */
  public static final String LINE_PACK_SEQ = "#line-pack-seq";

  private Markers() {
  }

  /** The name of input {@code partition} of {@code source} among a task's inputs ("usage:3"). */
  public static String input(String source, int partition) {
    return source + ":" + partition;
  }
}

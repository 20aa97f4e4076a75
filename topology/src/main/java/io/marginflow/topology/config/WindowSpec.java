package io.marginflow.topology.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** A margin window: size and advance (equal for tumbling windows), named by its size, e.g. 1h or 24h. */
public record WindowSpec(String name, long sizeMs, long advanceMs) {

  public WindowSpec {
    if (sizeMs <= 0 || advanceMs <= 0 || sizeMs % advanceMs != 0) {
      throw new IllegalArgumentException("window size must be a positive multiple of its advance: " + name);
    }
  }

  /** Parses "1h,24h/1h": a list of size[/advance]. */
  public static List<WindowSpec> parseList(String text) {
    List<WindowSpec> out = new ArrayList<>();
    for (String part : text.split(",")) {
      String p = part.trim();
      if (p.isEmpty()) {
        continue;
      }
      String[] sa = p.split("/");
      Duration size = Durations.parse(sa[0]);
      Duration advance = sa.length > 1 ? Durations.parse(sa[1]) : size;
      out.add(new WindowSpec(Durations.format(size), size.toMillis(), advance.toMillis()));
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException("at least one window is needed");
    }
    return List.copyOf(out);
  }

  /** Starts of the windows holding a bucket that starts at {@code bucketStartMs}, oldest first. */
  public List<Long> startsContaining(long bucketStartMs) {
    long last = Math.floorDiv(bucketStartMs, advanceMs) * advanceMs;
    List<Long> starts = new ArrayList<>();
    for (long s = last - sizeMs + advanceMs; s <= last; s += advanceMs) {
      starts.add(s);
    }
    return starts;
  }

  /** Store name for this window, e.g. tenant-margin-1h-store. */
  public String storeName(String prefix) {
    return prefix + "-" + name + "-store";
  }

  /** The start of the window that holds the last bucket ending at or before {@code asOfMs}. */
  public long currentStart(long asOfMs) {
    return Math.floorDiv(asOfMs - 1, advanceMs) * advanceMs - sizeMs + advanceMs;
  }
}

package io.marginflow.ops.replay;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Where each produced row landed, compactly: per topic partition, the file line of each offset (ticks and reference
 * rows leave a gap). Four bytes a row, where a map of row objects held the whole scenario in memory.
 */
final class RowIndex {
  /** A scenario file and 1-based line number. */
  record RowRef(String file, int line) {
  }

  private static final class Partition {
    private long base = -1;
    private int[] lines = new int[1024];
    private String file;
  }

  private final Map<String, Partition> partitions = new HashMap<>();

  synchronized void put(String topic, int partition, long offset, String file, int line) {
    Partition p = partitions.computeIfAbsent(topic + "/" + partition, k -> new Partition());
    if (p.base < 0) {
      p.base = offset;
    }
    long i = offset - p.base;
    if (i < 0 || i > Integer.MAX_VALUE - 8) {
      return;
    }
    if (i >= p.lines.length) {
      p.lines = Arrays.copyOf(p.lines, (int) Math.max(i + 1, Math.min((long) p.lines.length * 2, Integer.MAX_VALUE - 8)));
    }
    p.lines[(int) i] = line;
    p.file = file;
  }

  synchronized RowRef get(String topic, int partition, long offset) {
    Partition p = partitions.get(topic + "/" + partition);
    if (p == null || p.base < 0 || offset < p.base || offset - p.base >= p.lines.length) {
      return null;
    }
    int line = p.lines[(int) (offset - p.base)];
    return line == 0 ? null : new RowRef(p.file, line);
  }
}

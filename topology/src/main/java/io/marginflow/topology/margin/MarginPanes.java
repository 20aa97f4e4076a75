package io.marginflow.topology.margin;

import io.marginflow.avro.internal.TenantWindowState;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyWindowStore;

/** Margin windows as sums of panes, for the margins processor and the query layer alike. */
public final class MarginPanes {

  private MarginPanes() {
  }

  /**
   * The count of margin records a partition emitted, from the {@link Markers#MARGIN_EMITTED} marker as stored (null or
   * Long.MIN_VALUE: none). Versions up to 2026-11-25 started the count at Long.MIN_VALUE, the value of a marker never
   * set, so they stored Long.MIN_VALUE + count; a value below zero is read as that, which makes their state readable.
   */
  public static long emittedCount(Long stored) {
    if (stored == null) {
      return 0;
    }
    return stored < 0 ? stored - Long.MIN_VALUE : stored;
  }

  /** Every key's panes starting in [fromStart, toStart], summed per key (keys in order). */
  public static Map<String, TenantWindowState> sumByKey(ReadOnlyWindowStore<String, TenantWindowState> panes, long fromStart,
      long toStart) {
    Map<String, TenantWindowState> sums = new TreeMap<>();
    try (KeyValueIterator<Windowed<String>, TenantWindowState> it = panes.fetchAll(Instant.ofEpochMilli(Math.max(0, fromStart)),
        Instant.ofEpochMilli(toStart))) {
      while (it.hasNext()) {
        KeyValue<Windowed<String>, TenantWindowState> kv = it.next();
        sums.merge(kv.key.key(), kv.value, WindowStates::merge);
      }
    }
    return sums;
  }
}

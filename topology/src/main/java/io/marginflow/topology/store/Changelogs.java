package io.marginflow.topology.store;

import java.util.Map;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.state.StoreBuilder;

/**
 * Changelog settings of the window stores (de-duplication, panes, node energy).
 *
 * <p>Kafka Streams writes a changelog record with the timestamp of the record being processed, which here is event
 * time, and gives a window store's changelog time-based retention (the store's retention plus a day). For a backfill
 * of history (event times months old) the broker then deletes those changelog records almost as soon as they are
 * written, and a task restored from its changelog after a rebalance comes back without them: panes lose shares,
 * de-duplication forgets ids. With the broker's append time as the changelog records' timestamp, retention counts from
 * the writing, as it does for live traffic. Restoring a window store reads the window's time from the key, never from
 * the record's timestamp. (docs/RELIABILITY.md, "Rebalance".)
 */
public final class Changelogs {
  /** The window stores, whose changelogs need {@link #WINDOW_STORE}. */
  public static final java.util.List<String> WINDOW_STORES = java.util.List.of(StoreNames.USAGE_DEDUP,
      StoreNames.USAGE_DEDUP_LEGACY, StoreNames.NODE_ENERGY,
      StoreNames.TENANT_MARGIN_PANES, StoreNames.UNIT_ECONOMICS_PANES);

  /** The topic settings added to every window store's changelog. */
  public static final Map<String, String> WINDOW_STORE =
      Map.of(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, "LogAppendTime");

  private Changelogs() {
  }

  /** The changelog topic of {@code store} in application {@code applicationId}. */
  public static String topic(String applicationId, String store) {
    return applicationId + "-" + store + "-changelog";
  }

  /** {@code builder} with its changelog timestamped by the broker on append. */
  public static <S extends StateStore> StoreBuilder<S> appendTime(StoreBuilder<S> builder) {
    return builder.withLoggingEnabled(WINDOW_STORE);
  }
}

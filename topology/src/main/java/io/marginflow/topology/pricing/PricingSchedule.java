package io.marginflow.topology.pricing;

import io.marginflow.topology.store.BucketKeys;
import java.math.BigDecimal;
import java.util.HashSet;
import java.util.Set;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The multipliers the pricing tasks decided, as the attribution applies them (SPEC 4, 9): kept in a changelogged store
 * (key model|region, then effective_from) and, per (model, region) first asked for, in memory.
 */
public final class PricingSchedule {
  private final KeyValueStore<String, String> store;
  private final MultiplierSchedule memory = new MultiplierSchedule();
  private final Set<String> loaded = new HashSet<>();

  public PricingSchedule(KeyValueStore<String, String> store) {
    this.store = store;
  }

  public void put(String model, String region, long effectiveFromMs, BigDecimal multiplier) {
    String pair = MultiplierSchedule.key(model, region);
    store.put(BucketKeys.entityFirst(pair, effectiveFromMs), multiplier.toPlainString());
    if (loaded.contains(pair)) {
      memory.put(model, region, effectiveFromMs, multiplier);
    }
  }

  /** The multiplier in force for (model, region) at {@code timestampMs}: 1.0 before any decision. */
  public BigDecimal at(String model, String region, long timestampMs) {
    String pair = MultiplierSchedule.key(model, region);
    if (loaded.add(pair)) {
      try (KeyValueIterator<String, String> it = store.range(BucketKeys.entityFirst(pair, 0),
          BucketKeys.entityFirst(pair, Long.MAX_VALUE / 2))) {
        it.forEachRemaining(kv -> memory.put(model, region, effectiveOf(kv.key), new BigDecimal(kv.value)));
      }
    }
    return memory.at(model, region, timestampMs);
  }

  private static long effectiveOf(String key) {
    return Long.parseLong(key.substring(key.lastIndexOf('|') + 1));
  }
}

package io.marginflow.topology;

import io.marginflow.topology.store.StoreNames;
import io.marginflow.avro.EnergyPrice;
import io.marginflow.topology.store.BucketKeys;
import io.marginflow.topology.metrics.PipelineMetrics;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Keeps every version of every region's energy price in a global store keyed region|effective_from, so a bucket
 * is priced as of its start (SPEC 3) whatever the order prices arrived in. Also run when the store is restored.
 */
final class EnergyPriceLoader implements Processor<String, EnergyPrice, Void, Void> {
  private KeyValueStore<String, EnergyPrice> store;
  private PipelineMetrics metrics;

  @Override
  public void init(ProcessorContext<Void, Void> context) {
    this.store = context.getStateStore(StoreNames.ENERGY_PRICES);
    this.metrics = new PipelineMetrics(context, "energy-prices");
  }

  @Override
  public void process(Record<String, EnergyPrice> record) {
    EnergyPrice p = record.value();
    if (p == null || p.getRegion() == null || p.getRegion().isBlank() || p.getUsdPerKwh().signum() < 0) {
      metrics.count("invalid-energy-price-skipped");
      return;
    }
    store.put(BucketKeys.entityFirst(p.getRegion(), p.getEffectiveFromMs().toEpochMilli()), p);
  }
}

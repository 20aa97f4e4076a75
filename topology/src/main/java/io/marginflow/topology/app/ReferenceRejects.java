package io.marginflow.topology.app;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Reference records (nodes, price book, energy prices, budgets) that could not be deserialized and were skipped, per
 * topic: exposed as {@code marginflow_reference_rejected_total{topic}}, every reference topic at zero from the start so
 * that an alert on its rate works before the first bad record.
 */
public final class ReferenceRejects implements MeterBinder {
  public static final String METRIC = "marginflow.reference.rejected";
  private final Map<String, LongAdder> byTopic = new ConcurrentHashMap<>();

  public ReferenceRejects(Collection<String> topics) {
    topics.forEach(t -> byTopic.put(t, new LongAdder()));
  }

  void count(String topic) {
    byTopic.computeIfAbsent(topic, t -> new LongAdder()).increment();
  }

  /** Skipped records of {@code topic} so far. */
  public long skipped(String topic) {
    LongAdder a = byTopic.get(topic);
    return a == null ? 0 : a.sum();
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    byTopic.forEach((topic, adder) -> FunctionCounter.builder(METRIC, adder, LongAdder::doubleValue)
        .description("Reference records skipped because they could not be deserialized").tag("topic", topic)
        .register(registry));
  }
}

package io.marginflow.topology.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.metrics.KafkaMetric;
import org.apache.kafka.common.metrics.MetricConfig;
import org.apache.kafka.common.metrics.stats.Value;
import org.apache.kafka.common.utils.Time;
import org.junit.jupiter.api.Test;

class ScrapeTimeRebindTest {

  @Test
  void shouldRefreshOnlyWhenScrapedAndAtMostOncePerInterval() {
    AtomicInteger runs = new AtomicInteger();
    ScrapeTimeRebind rebind = new ScrapeTimeRebind(Duration.ofHours(1));
    try {
      rebind.scheduleAtFixedRate(runs::incrementAndGet, 5, 5, java.util.concurrent.TimeUnit.SECONDS);
      assertEquals(0, runs.get(), "recorded, not run: nothing scraped yet");
      rebind.beforeScrape();
      rebind.beforeScrape();
      assertEquals(1, runs.get(), "once within the interval");
    } finally {
      rebind.shutdownNow();
    }
    ScrapeTimeRebind every = new ScrapeTimeRebind(Duration.ZERO);
    try {
      every.scheduleAtFixedRate(runs::incrementAndGet, 5, 5, java.util.concurrent.TimeUnit.SECONDS);
      every.beforeScrape();
      every.beforeScrape();
      assertEquals(3, runs.get(), "each scrape refreshes with a zero interval");
    } finally {
      every.shutdownNow();
    }
  }

  @Test
  void shouldShowAKafkaMetricThatAppearedAfterBindingAtTheNextScrape() {
    MockProducer<String, String> producer = new MockProducer<>();
    add(producer, "first");
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    ScrapeTimeRebind rebind = new ScrapeTimeRebind(Duration.ZERO);
    try (KafkaClientMetrics binder = new KafkaClientMetrics(producer, List.of(), rebind, Duration.ofSeconds(5))) {
      binder.bindTo(registry);
      assertEquals(1, registry.find("kafka.test.first").gauges().size());
      add(producer, "second");
      assertEquals(0, registry.find("kafka.test.second").gauges().size(), "no timer binds it behind the scrape's back");
      rebind.beforeScrape();
      assertEquals(1, registry.find("kafka.test.second").gauges().size());
    } finally {
      rebind.shutdownNow();
    }
  }

  private static void add(MockProducer<String, String> producer, String name) {
    MetricName id = new MetricName(name, "test", "", Map.of());
    producer.setMockMetrics(id, new KafkaMetric(new Object(), id, new Value(), new MetricConfig(), Time.SYSTEM));
  }
}

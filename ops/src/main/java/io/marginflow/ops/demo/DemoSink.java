package io.marginflow.ops.demo;

import io.marginflow.avro.PowerSample;
import io.marginflow.avro.TokenUsage;
import io.marginflow.ops.replay.ScenarioProducer;
import io.marginflow.ops.scenario.LiveLoad;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Where the demo's live load goes: requests as OTLP spans to the ingest gateway, power samples and ticks by the
 * producer (or, once live, from the fake DCGM exporters through the power connector). A step's spans are exported
 * before its tick, so that the tick never passes requests still on their way.
 */
final class DemoSink implements LiveLoad.Sink {
  private final ScenarioProducer producer;
  private final DemoSpans spans;
  private final DemoExporters exporters;

  /** {@code exporters}: null unless power goes through the DCGM connector once live. */
  DemoSink(ScenarioProducer producer, DemoSpans spans, DemoExporters exporters) {
    this.producer = producer;
    this.spans = spans;
    this.exporters = exporters;
  }

  @Override
  public void usage(TokenUsage usage) {
    spans.add(usage);
  }

  @Override
  public void power(PowerSample sample) {
    if (exporters != null && exporters.live()) {
      exporters.set(sample);
    } else {
      producer.power(sample);
    }
  }

  @Override
  public void tick(long eventTimeMs) {
    try {
      spans.export();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while exporting spans", e);
    }
    producer.tick(eventTimeMs);
  }
}

package io.marginflow.bench.jmh;

import io.marginflow.avro.TokenUsage;
import io.marginflow.serde.ConfluentAvroDeserializer;
import io.marginflow.serde.LongFieldReader;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.OutputTimeUnit;

/** The timestamp extractor's read of a usage event's time: straight from the bytes, against decoding the record. */
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class EventTimeBench extends HotPath {
  private final Fixtures f = new Fixtures();
  private final byte[] payload = f.usageBytes(0);
  private final ConfluentAvroDeserializer<TokenUsage> decoder = f.usageDeserializer();
  private final LongFieldReader direct = decoder.longField("timestamp_ms");

  @Benchmark
  public long fromTheBytes() {
    return direct.read(payload);
  }

  @Benchmark
  public long decodeTheRecord() {
    return decoder.deserialize("usage.tokens.v1", payload).getTimestampMs().toEpochMilli();
  }
}

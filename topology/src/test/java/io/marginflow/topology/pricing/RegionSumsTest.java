package io.marginflow.topology.pricing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.marginflow.avro.internal.ModelSums;
import io.marginflow.avro.internal.PricingInput;
import io.marginflow.topology.domain.Weights;
import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.junit.jupiter.api.Test;

class RegionSumsTest {
  @Test
  void shouldPriceAnotherTokenAtTheEnergyCostPerWeightedToken() {
    // Work (default weights 1 / 0.1 / 4): 800,000 uncached + 200,000 x 0.1 cached + 250,000 x 4 output = 1,820,000.
    // Energy 0.9 USD: per 1M input tokens 0.9 x 1 x 1e6 / 1.82e6 = 0.494505494505..., output x 4 = 1.978021978021...
    ModelSums m = sums(1_000_000, 200_000, 250_000, "0.900000000");
    assertEquals(new BigDecimal("0.494505495"), RegionSums.marginal(m, Weights.DEFAULT, Weights.DEFAULT.input()));
    assertEquals(new BigDecimal("1.978021978"), RegionSums.marginal(m, Weights.DEFAULT, Weights.DEFAULT.output()));
    assertNull(RegionSums.marginal(sums(0, 0, 0, "0.000000000"), Weights.DEFAULT, Weights.DEFAULT.output()));
  }

  @Test
  void shouldReadSumsWrittenBeforeTheEnergyCostWasKeptAsUnknown() throws Exception {
    Schema v1 = new Schema.Parser().parse(Path.of("../schemas/src/history/PricingInput/v1.avsc").toFile());
    Schema v1Bucket = v1.getField("bucket").schema().getTypes().get(1);
    Schema v1Sums = v1Bucket.getField("models").schema().getElementType();
    GenericRecord s = new GenericData.Record(v1Sums);
    s.put("model", "m");
    s.put("requests", 3L);
    s.put("input_tokens", 10L);
    s.put("output_tokens", 5L);
    for (String f : List.of("revenue_usd", "energy_kwh")) {
      s.put(f, java.nio.ByteBuffer.wrap(new BigDecimal("1").setScale(18).unscaledValue().toByteArray()));
    }
    s.put("cost_usd", java.nio.ByteBuffer.wrap(new BigDecimal("2").setScale(9).unscaledValue().toByteArray()));
    GenericRecord b = new GenericData.Record(v1Bucket);
    b.put("region", "r");
    b.put("start_ms", 0L);
    b.put("models", List.of(s));
    for (String f : List.of("total_cost_usd", "idle_cost_usd")) {
      b.put(f, java.nio.ByteBuffer.wrap(new byte[] {0}));
    }
    b.put("power_to_tdp_sum", java.nio.ByteBuffer.wrap(new byte[] {0}));
    b.put("power_to_tdp_count", 0L);
    GenericRecord in = new GenericData.Record(v1);
    in.put("bucket", b);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    BinaryEncoder e = EncoderFactory.get().binaryEncoder(bytes, null);
    new GenericDatumWriter<GenericRecord>(v1).write(in, e);
    e.flush();
    PricingInput read = new SpecificDatumReader<PricingInput>(v1, PricingInput.getClassSchema())
        .read(null, DecoderFactory.get().binaryDecoder(bytes.toByteArray(), null));
    ModelSums m = read.getBucket().getModels().get(0);
    assertEquals(0L, m.getCachedInputTokens());
    assertNull(m.getEnergyCostUsd());
    assertNull(RegionSums.marginal(m, Weights.DEFAULT, Weights.DEFAULT.output()), "marginal cost unknown, not 0");
    assertEquals(new BigDecimal("2.000000000"), m.getCostUsd());
  }

  private static ModelSums sums(long in, long cached, long out, String energyCost) {
    return ModelSums.newBuilder().setModel("m").setRequests(1).setInputTokens(in).setCachedInputTokens(cached)
        .setOutputTokens(out).setRevenueUsd(BigDecimal.ZERO.setScale(18)).setCostUsd(new BigDecimal(energyCost))
        .setEnergyKwh(BigDecimal.ZERO.setScale(18)).setEnergyCostUsd(new BigDecimal(energyCost)).build();
  }
}

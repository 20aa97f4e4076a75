package io.marginflow.topology.pricing;

import io.marginflow.avro.internal.MultiplierDecision;
import io.marginflow.topology.domain.PricingNormal;
import io.marginflow.topology.domain.PricingPolicy;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * The pricing task's latest decision per (model, region), as kept in {@code pricing-multiplier-store}: which multiplier
 * is in force at a time, and the store's serde, which also reads the text values ("latest|effective_from|before")
 * that releases before the record kept, so an upgraded instance restores its decisions from the old changelog.
 */
public final class MultiplierDecisions {
  /** Multipliers are kept, published and applied at this scale (PriceAdjustment.multiplier). */
  public static final int SCALE = PricingPolicy.MULTIPLIER_SCALE;
  /** USD amounts are kept to the nano-dollar. */
  private static final int USD_SCALE = 9;
  /** Confluent wire format's first byte; a text value starts with a digit. */
  private static final byte MAGIC = 0;

  private MultiplierDecisions() {
  }

  /** No decision yet: 1.0 at all times. */
  public static MultiplierDecision none() {
    return decision(BigDecimal.ONE, Long.MIN_VALUE, BigDecimal.ONE);
  }

  public static MultiplierDecision decision(BigDecimal latest, long effectiveFromMs, BigDecimal before) {
    return MultiplierDecision.newBuilder().setLatest(scaled(latest)).setEffectiveFromMs(effectiveFromMs)
        .setBefore(scaled(before)).build();
  }

  /** The multiplier in force at {@code timeMs}. */
  public static BigDecimal at(MultiplierDecision d, long timeMs) {
    return timeMs >= d.getEffectiveFromMs() ? d.getLatest() : d.getBefore();
  }

  /** What the marginal-cost law takes as normal for the decision's (model, region), or null before its first interval. */
  public static PricingNormal normal(MultiplierDecision d) {
    if (d.getNormalAtMs() == null) {
      return null;
    }
    return new PricingNormal(orNaN(d.getNormalPressure()), orNaN(d.getNormalKwh()), usd(d.getNormalListRevenueUsd()),
        usd(d.getNormalEnergyPrice()), d.getNormalAtMs());
  }

  /**
   * The decision with {@code normal} kept beside it ({@code NaN} figures kept as null; the money figures, list revenue
   * and energy price, as decimals to 9 places like every USD amount).
   */
  public static MultiplierDecision withNormal(MultiplierDecision d, PricingNormal normal) {
    return MultiplierDecision.newBuilder(d).setNormalPressure(orNull(normal.pressure())).setNormalKwh(orNull(normal.kwh()))
        .setNormalListRevenueUsd(usd(normal.listRevenueUsd())).setNormalEnergyPrice(usd(normal.energyPrice()))
        .setNormalAtMs(normal.atMs()).build();
  }

  private static BigDecimal usd(double value) {
    return Double.isFinite(value) ? new BigDecimal(value).setScale(USD_SCALE, RoundingMode.HALF_EVEN) : null;
  }

  private static double usd(BigDecimal value) {
    return value == null ? Double.NaN : value.doubleValue();
  }

  /** {@code d} with the normal kept in {@code from} (none if it has none). */
  public static MultiplierDecision withNormalOf(MultiplierDecision d, MultiplierDecision from) {
    PricingNormal normal = normal(from);
    return normal == null ? d : withNormal(d, normal);
  }

  private static double orNaN(Double value) {
    return value == null ? Double.NaN : value;
  }

  private static Double orNull(double value) {
    return Double.isFinite(value) ? value : null;
  }

  public static BigDecimal scaled(BigDecimal multiplier) {
    return multiplier.setScale(SCALE, RoundingMode.HALF_EVEN);
  }

  /** The store's serde: writes {@code avro}; reads it, or a value written as text by an earlier release. */
  public static Serde<MultiplierDecision> serde(Serde<MultiplierDecision> avro) {
    Deserializer<MultiplierDecision> reader = avro.deserializer();
    Deserializer<MultiplierDecision> either = (topic, bytes) -> bytes == null || bytes.length == 0 || bytes[0] == MAGIC
        ? reader.deserialize(topic, bytes) : fromText(new String(bytes, StandardCharsets.UTF_8));
    return Serdes.serdeFrom(avro.serializer(), either);
  }

  static MultiplierDecision fromText(String text) {
    String[] f = text.split("\\|");
    if (f.length != 3) {
      throw new IllegalArgumentException("Not a multiplier decision (latest|effective_from|before): " + text);
    }
    return decision(new BigDecimal(f[0]), Long.parseLong(f[1]), new BigDecimal(f[2]));
  }
}

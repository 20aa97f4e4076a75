package io.marginflow.bench;

import io.marginflow.avro.Budget;
import io.marginflow.avro.BudgetMetric;
import io.marginflow.avro.BudgetPeriod;
import io.marginflow.avro.PriceBookEntry;
import io.marginflow.avro.TokenUsage;
import io.marginflow.schemas.Money;
import io.marginflow.serde.ConfluentAvroSerializer;
import io.marginflow.topology.config.Topics;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The input of {@code bench alerts}: one model's price, a daily SPEND budget per tenant with limits spread so that
 * crossings keep coming through the measured seconds, and the paced usage (event time = the wall clock at sending).
 */
record AlertLoad(int rate, int seconds, int warmupSeconds, int tenants) {
  /** 1,000 input and 100 output tokens at 1 and 2 USD per 1M: 0.0012 USD a request. */
  private static final BigDecimal REVENUE = new BigDecimal("0.0012");

  /** Writes the price and the budgets, and waits for them to be sent. */
  void reference(KafkaProducer<String, byte[]> p, ConfluentAvroSerializer<SpecificRecord> v, Topics t) throws Exception {
    PriceBookEntry price = PriceBookEntry.newBuilder().setModel("m").setInputUsdPerMtok(Money.usd("1"))
        .setCachedInputUsdPerMtok(Money.usd("0.1")).setOutputUsdPerMtok(Money.usd("2")).build();
    p.send(new ProducerRecord<>(t.pricebook(), "m", v.serialize(t.pricebook(), price))).get();
    double perTenant = (double) rate / tenants;
    for (int i = 0; i < tenants; i++) {
      // Tenant i reaches its limit after its warm-up requests plus (10 + i x spread): limits crossed all through the
      // measured seconds (the 50 % and 80 % crossings of the first tenants fall into the warm-up, excluded).
      double requests = warmupSeconds * perTenant + 10 + (seconds * perTenant - 10) * i / Math.max(1, tenants - 1);
      Budget b = Budget.newBuilder().setTenantId(tenant(i)).setPeriod(BudgetPeriod.DAILY).setMetric(BudgetMetric.SPEND)
          .setLimitUsd(REVENUE.multiply(BigDecimal.valueOf(Math.max(1, Math.round(requests)))).setScale(9))
          .setThresholds(List.of(0.5, 0.8, 1.0)).build();
      p.send(new ProducerRecord<>(t.budgets(), b.getTenantId(), v.serialize(t.budgets(), b)));
    }
    p.flush();
  }

  /** Sends {@code rate} usage events a second, round robin over the tenants, for the warm-up and measured seconds. */
  long load(KafkaProducer<String, byte[]> p, ConfluentAvroSerializer<SpecificRecord> v, Topics t) {
    long start = System.nanoTime();
    long n = 0;
    long total = (long) rate * (warmupSeconds + seconds);
    while (n < total) {
      long due = start + n * 1_000_000_000L / rate;
      long wait = due - System.nanoTime();
      if (wait > 0) {
        LockSupport.parkNanos(wait);
      }
      String tenant = tenant((int) (n % tenants));
      TokenUsage u = TokenUsage.newBuilder().setEventId("e" + n).setTimestampMs(Instant.ofEpochMilli(System.currentTimeMillis()))
          .setTenantId(tenant).setModel("m").setRegion("eu").setNodeId("node-" + (n % 8)).setInputTokens(1000)
          .setCachedInputTokens(0).setOutputTokens(100).build();
      p.send(new ProducerRecord<>(t.usage(), tenant, v.serialize(t.usage(), u)));
      n++;
    }
    p.flush();
    return n;
  }

  private static String tenant(int i) {
    return String.format("tenant-%04d", i);
  }
}

package io.marginflow.ops.ingest;

import io.marginflow.avro.TokenUsage;
import io.marginflow.serde.ConfluentAvroSerializer;
import io.marginflow.topology.config.MarginflowConfig;
import io.marginflow.topology.config.Topics;
import io.marginflow.topology.ingest.DeadLetterHeaders;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Where the gateway's events go: TokenUsage keyed by tenant on the usage topic (idempotent producer, acks=all), and
 * what cannot be mapped to the usage topic's dead-letter queue with the reason in SPEC 2's headers. A request is
 * answered only once its records are acknowledged, so an accepted event is durable and a failed one is retried by the
 * client (event_id makes the retry count once).
 */
public final class UsageSink implements AutoCloseable {
  /** Source named in a dead letter's headers for events that did not come from a topic. */
  public static final String ORIGIN = "ingest-gateway";
  private static final Duration ACK_TIMEOUT = Duration.ofSeconds(30);

  private final KafkaProducer<byte[], byte[]> producer;
  private final ConfluentAvroSerializer<TokenUsage> values = new ConfluentAvroSerializer<>();
  private final Topics topics;
  private final MeterRegistry meters;

  public UsageSink(MarginflowConfig config, MeterRegistry meters) {
    Map<String, Object> client = new HashMap<>(config.withPrefix("kafka.", true));
    client.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.getString(MarginflowConfig.BOOTSTRAP_SERVERS));
    client.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    client.put(ProducerConfig.ACKS_CONFIG, "all");
    client.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 5);
    client.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "marginflow-ingest");
    client.putIfAbsent(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) ACK_TIMEOUT.toMillis());
    client.putIfAbsent(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
    this.producer = new KafkaProducer<>(client, new ByteArraySerializer(), new ByteArraySerializer());
    this.values.configure(config.registryConfig(), false);
    this.topics = Topics.from(config);
    this.meters = meters;
    new io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics(producer).bindTo(meters);
    awaitCluster();
  }

  /** Records of one request, sent together and awaited together. */
  public final class Batch {
    private final List<Future<RecordMetadata>> sent = new ArrayList<>();
    private final String source;
    private final io.micrometer.core.instrument.Counter accepted;

    private Batch(String source) {
      this.source = source;
      this.accepted = meters.counter("marginflow_ingest_events_total", "source", source, "outcome", "accepted");
    }

    public void usage(TokenUsage usage) {
      sent.add(producer.send(new ProducerRecord<>(topics.usage(), null, null,
          usage.getTenantId().toString().getBytes(StandardCharsets.UTF_8), values.serialize(topics.usage(), usage))));
      accepted.increment();
    }

    /**
     * A dead letter: the original (JSON) bytes, SPEC 2's headers with the reason. Key and value are cut to the dead
     * letters' bounds ({@link DeadLetterHeaders#boundValue}): one oversized event never fails its batch.
     */
    public void reject(String reason, String detail, String original, String key, long eventTimeMs) {
      RecordHeaders headers = new RecordHeaders();
      headers.add(DeadLetterHeaders.REASON, reason.getBytes(StandardCharsets.UTF_8));
      headers.add(DeadLetterHeaders.DETAIL, DeadLetterHeaders.detail(detail).getBytes(StandardCharsets.UTF_8));
      headers.add(DeadLetterHeaders.TOPIC, (ORIGIN + ":" + source).getBytes(StandardCharsets.UTF_8));
      headers.add(DeadLetterHeaders.PARTITION, "-1".getBytes(StandardCharsets.UTF_8));
      headers.add(DeadLetterHeaders.OFFSET, "-1".getBytes(StandardCharsets.UTF_8));
      headers.add(DeadLetterHeaders.EVENT_TIMESTAMP, Long.toString(eventTimeMs).getBytes(StandardCharsets.UTF_8));
      byte[] keyBytes = key == null ? null : DeadLetterHeaders.boundKey(key.getBytes(StandardCharsets.UTF_8), headers);
      byte[] value = DeadLetterHeaders.boundValue(original.getBytes(StandardCharsets.UTF_8), headers);
      sent.add(producer.send(new ProducerRecord<>(Topics.dlq(topics.usage()), null, null, keyBytes, value, headers)));
      meters.counter("marginflow_ingest_events_total", "source", source, "outcome", "rejected", "reason", reason).increment();
    }

    /** Waits until every record is acknowledged; throws when one is not (the client should retry). */
    public void await() throws ExecutionException, InterruptedException, TimeoutException {
      long deadline = System.nanoTime() + ACK_TIMEOUT.toNanos();
      for (Future<RecordMetadata> f : sent) {
        f.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      }
    }
  }

  public Batch batch(String source) {
    return new Batch(source);
  }

  /** True once the cluster has answered for the usage topic (its partitions are known). */
  public boolean ready() {
    return ready;
  }

  private volatile boolean ready;

  /** Asks the cluster for the usage topic's partitions in the background until it answers. */
  private void awaitCluster() {
    Thread t = new Thread(() -> {
      while (!ready && !closed) {
        try {
          ready = !producer.partitionsFor(topics.usage()).isEmpty();
        } catch (RuntimeException e) {
          org.slf4j.LoggerFactory.getLogger(UsageSink.class).warn("Usage topic {} not reachable yet: {}", topics.usage(),
              e.toString());
          // An error that comes back at once (authorization, a bad name) must not turn this into a busy loop.
          java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofSeconds(1).toNanos());
        }
      }
    }, "marginflow-ingest-ready");
    t.setDaemon(true);
    t.start();
  }

  private volatile boolean closed;

  @Override
  public void close() {
    closed = true;
    producer.close(Duration.ofSeconds(10));
  }
}

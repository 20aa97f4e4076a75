package io.marginflow.topology.app;

import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Event sources are read as bytes and dead-lettered by the ingest processors, so a deserialization error here
 * comes from a reference topic (skipped and logged: a bad price book row must not stop billing) or from an
 * internal topic (a bug: fail).
 */
public final class ReferenceDataDeserializationHandler implements DeserializationExceptionHandler {
  /** Comma-separated reference topic names, set by the app. */
  public static final String REFERENCE_TOPICS_CONFIG = "marginflow.reference.topics";
  /** The {@link ReferenceRejects} to count skipped records in (an object among the Kafka Streams settings). */
  public static final String REJECTS_CONFIG = "marginflow.reference.rejects";
  private static final Logger LOG = LoggerFactory.getLogger(ReferenceDataDeserializationHandler.class);
  private java.util.Set<String> referenceTopics = java.util.Set.of();
  private ReferenceRejects rejects = new ReferenceRejects(java.util.List.of());

  @Override
  public Response handleError(ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record, Exception exception) {
    if (referenceTopics.contains(record.topic())) {
      rejects.count(record.topic());
      LOG.warn("Skipping undeserializable reference record {}-{}@{} ({} skipped on this topic so far): {}", record.topic(),
          record.partition(), record.offset(), rejects.skipped(record.topic()), exception.toString());
      return Response.resume(java.util.List.of());
    }
    LOG.error("Cannot deserialize {}-{}@{}", record.topic(), record.partition(), record.offset(), exception);
    return Response.fail(java.util.List.of());
  }

  @Override
  public void configure(Map<String, ?> configs) {
    Object topics = configs.get(REFERENCE_TOPICS_CONFIG);
    if (topics != null) {
      referenceTopics = java.util.Set.of(topics.toString().split(","));
    }
    if (configs.get(REJECTS_CONFIG) instanceof ReferenceRejects r) {
      rejects = r;
    }
  }
}

package io.marginflow.it;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Gives the test class one real Kafka broker and schema registry (a {@link KafkaStack} parameter). The broker
 * is the embedded KRaft broker, or Testcontainers' Kafka with {@code -Dmarginflow.it.kafka=testcontainers}
 * (skipped cleanly when there is no Docker).
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Tag("kafka")
@ExtendWith(KafkaStackExtension.class)
public @interface WithKafkaStack {
}

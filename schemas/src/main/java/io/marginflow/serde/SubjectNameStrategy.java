package io.marginflow.serde;

import java.util.Locale;
import org.apache.avro.Schema;
import org.apache.kafka.common.config.ConfigException;

/** How a topic and record map to a registry subject; Confluent's three strategies, TopicNameStrategy by default. */
public enum SubjectNameStrategy {
  TOPIC_NAME,
  RECORD_NAME,
  TOPIC_RECORD_NAME;

  /** The subject for a key or value of {@code topic} written with {@code schema}. */
  public String subject(String topic, boolean isKey, Schema schema) {
    return switch (this) {
      case TOPIC_NAME -> topic + (isKey ? "-key" : "-value");
      case RECORD_NAME -> schema.getFullName();
      case TOPIC_RECORD_NAME -> topic + "-" + schema.getFullName();
    };
  }

  /** Accepts our names and Confluent's class names (e.g. io.confluent...TopicNameStrategy). */
  public static SubjectNameStrategy parse(String key, Object value) {
    if (value == null) {
      return TOPIC_NAME;
    }
    String name = value.toString();
    String simple = name.substring(name.lastIndexOf('.') + 1).toUpperCase(Locale.ROOT).replace("_", "");
    return switch (simple) {
      case "TOPICNAME", "TOPICNAMESTRATEGY" -> TOPIC_NAME;
      case "RECORDNAME", "RECORDNAMESTRATEGY" -> RECORD_NAME;
      case "TOPICRECORDNAME", "TOPICRECORDNAMESTRATEGY" -> TOPIC_RECORD_NAME;
      default -> throw new ConfigException(key, value, "must be TopicNameStrategy, RecordNameStrategy or TopicRecordNameStrategy");
    };
  }
}

package io.marginflow.topology;

import java.util.LinkedHashMap;
import java.util.Map;

/** One topic as data: logical id, name, partition count, topic-level configs and what it holds. */
public record TopicDeclaration(String id, String name, int partitions, Map<String, String> configs, String doc) {

  public TopicDeclaration {
    configs = Map.copyOf(configs);
  }

  /** The same declaration under another name (configured topic names). */
  public TopicDeclaration named(String newName) {
    return new TopicDeclaration(id, newName, partitions, configs, doc);
  }

  /** The same declaration with one config replaced. */
  public TopicDeclaration withConfig(String key, String value) {
    Map<String, String> copy = new LinkedHashMap<>(configs);
    copy.put(key, value);
    return new TopicDeclaration(id, name, partitions, copy, doc);
  }
}

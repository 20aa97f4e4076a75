package io.marginflow.topology;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.function.UnaryOperator;

/** The topics marginflow uses, loaded from {@code topics.json}: the single place their defaults live. */
public final class TopicCatalog {
  private final Map<String, TopicDeclaration> byId;

  private TopicCatalog(Map<String, TopicDeclaration> byId) {
    this.byId = Collections.unmodifiableMap(new LinkedHashMap<>(byId));
  }

  /** The declarations shipped with the topology, with their SPEC default names. */
  public static TopicCatalog defaults() {
    try (InputStream in = TopicCatalog.class.getResourceAsStream("topics.json")) {
      if (in == null) {
        throw new IllegalStateException("topics.json missing from the class path");
      }
      JsonNode root = new ObjectMapper().readTree(in);
      Map<String, TopicDeclaration> byId = new LinkedHashMap<>();
      for (JsonNode t : root.get("topics")) {
        Map<String, String> configs = new LinkedHashMap<>();
        t.path("configs").fields().forEachRemaining(e -> configs.put(e.getKey(), e.getValue().asText()));
        byId.put(t.get("id").asText(), new TopicDeclaration(t.get("id").asText(), t.get("name").asText(),
            t.get("partitions").asInt(), configs, t.path("doc").asText("")));
      }
      return new TopicCatalog(byId);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read topics.json", e);
    }
  }

  /** The declaration with logical id {@code id} (e.g. "usage"). */
  public TopicDeclaration get(String id) {
    TopicDeclaration t = byId.get(id);
    if (t == null) {
      throw new NoSuchElementException("No topic declared with id " + id);
    }
    return t;
  }

  public List<TopicDeclaration> all() {
    return new ArrayList<>(byId.values());
  }

  /**
   * For replays and backfills of history: the event topics keep every record. Their record timestamps are the
   * events' own (old) times, which time-based retention would delete before the pipeline reads them. Output topics
   * need no change: their records are stamped when written.
   */
  public TopicCatalog keepingEventsForever() {
    return map(t -> t.id().equals("usage") || t.id().equals("power") ? t.withConfig("retention.ms", "-1") : t);
  }

  /** A catalog with every declaration passed through {@code change} (renames, retention overrides). */
  public TopicCatalog map(UnaryOperator<TopicDeclaration> change) {
    Map<String, TopicDeclaration> copy = new LinkedHashMap<>();
    byId.forEach((id, t) -> copy.put(id, change.apply(t)));
    return new TopicCatalog(copy);
  }
}

package io.marginflow.registry.store;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.avro.Schema;

/**
 * The registry's global schema ids: one per distinct schema (by its canonical text), whatever the subject. Not
 * thread-safe: {@link SchemaStore} guards it.
 */
final class SchemaIds {
  private final Map<Integer, Schema> schemasById = new HashMap<>();
  private final Map<String, Integer> idsByCanonical = new HashMap<>();
  private int nextId = 1;

  /** The schema with {@code id}, or null. */
  Schema get(int id) {
    return schemasById.get(id);
  }

  /** The id of {@code schema}, or null when it has none yet. */
  Integer idOf(Schema schema) {
    return idsByCanonical.get(schema.toString());
  }

  /** The id of {@code schema}, a new one when it has none yet. */
  int assign(Schema schema) {
    return idsByCanonical.computeIfAbsent(schema.toString(), k -> {
      int id = nextId++;
      schemasById.put(id, schema);
      return id;
    });
  }

  /** Gives {@code schema} the id it had before a restart; later new ids come after it. */
  void restore(int id, Schema schema) {
    schemasById.put(id, schema);
    idsByCanonical.put(schema.toString(), id);
    nextId = Math.max(nextId, id + 1);
  }

  /** Every id, ascending. */
  List<Integer> ids() {
    return new ArrayList<>(new TreeSet<>(schemasById.keySet()));
  }
}

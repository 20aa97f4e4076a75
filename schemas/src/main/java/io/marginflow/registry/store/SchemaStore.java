package io.marginflow.registry.store;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.marginflow.registry.RegisteredSchema;
import io.marginflow.registry.RegistryException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;

/**
 * The registry's state and rules, shared by the embedded HTTP server and the in-memory {@code mock://} client.
 *
 * <p>Ids are global: the same schema gets the same id under every subject, as in Confluent's registry.
 * Registering a schema already present in a subject returns its id without a new version. With a journal
 * file every change is appended as one JSON line and replayed on start, so ids survive a restart.
 */
public final class SchemaStore {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Map<Integer, Schema> schemasById = new HashMap<>();
  private final Map<String, Integer> idsByCanonical = new HashMap<>();
  private final Map<String, List<Version>> subjects = new LinkedHashMap<>();
  private final Map<String, CompatibilityLevel> subjectLevels = new HashMap<>();
  private final Path journal;
  private CompatibilityLevel globalLevel = CompatibilityLevel.BACKWARD;
  private int nextId = 1;

  private record Version(int version, int id, boolean deleted) {
  }

  /** An in-memory store. */
  public SchemaStore() {
    this.journal = null;
  }

  /** A store persisted to {@code journal} (created if absent, replayed if present). */
  public SchemaStore(Path journal) {
    this.journal = journal;
    if (Files.exists(journal)) {
      replay(journal);
    }
  }

  /** Parses schema text, mapping parse errors to 42201. */
  public static Schema parse(String text) {
    try {
      return new Schema.Parser().parse(text);
    } catch (SchemaParseException | NullPointerException e) {
      throw RegistryException.invalidSchema(String.valueOf(e.getMessage()));
    }
  }

  public synchronized RegisteredSchema register(String subject, Schema schema) {
    Optional<RegisteredSchema> existing = find(subject, schema);
    if (existing.isPresent()) {
      return existing.get();
    }
    List<Schema> live = liveSchemas(subject);
    CompatibilityLevel level = levelFor(subject);
    if (!level.allows(schema, live)) {
      throw new RegistryException(409, RegistryException.INCOMPATIBLE_SCHEMA,
          "Schema being registered is incompatible with an earlier schema for subject '" + subject
              + "' under " + level + ": " + CompatibilityLevel.incompatibilities(schema, live.get(live.size() - 1)));
    }
    int id = idFor(schema);
    List<Version> versions = subjects.computeIfAbsent(subject, s -> new ArrayList<>());
    int version = versions.isEmpty() ? 1 : versions.get(versions.size() - 1).version() + 1;
    versions.add(new Version(version, id, false));
    append(event("register").put("subject", subject).put("version", version).put("id", id)
        .put("schema", schema.toString()));
    return new RegisteredSchema(subject, version, id, schema);
  }

  public synchronized Optional<RegisteredSchema> find(String subject, Schema schema) {
    Integer id = idsByCanonical.get(schema.toString());
    if (id == null) {
      return Optional.empty();
    }
    return live(subject).stream().filter(v -> v.id() == id).findFirst()
        .map(v -> new RegisteredSchema(subject, v.version(), v.id(), schemasById.get(v.id())));
  }

  public synchronized Schema byId(int id) {
    Schema schema = schemasById.get(id);
    if (schema == null) {
      throw RegistryException.schemaNotFound("with id " + id);
    }
    return schema;
  }

  public synchronized List<String> subjectsOf(int id) {
    byId(id);
    List<String> out = new ArrayList<>();
    subjects.forEach((subject, versions) -> {
      if (versions.stream().anyMatch(v -> v.id() == id && !v.deleted())) {
        out.add(subject);
      }
    });
    return out;
  }

  public synchronized List<String> subjects() {
    List<String> out = new ArrayList<>();
    subjects.forEach((subject, versions) -> {
      if (versions.stream().anyMatch(v -> !v.deleted())) {
        out.add(subject);
      }
    });
    return out;
  }

  public synchronized List<Integer> versions(String subject) {
    return requireLive(subject).stream().map(Version::version).toList();
  }

  /** Version {@code version} of {@code subject}; -1 means latest. */
  public synchronized RegisteredSchema version(String subject, int version) {
    List<Version> live = requireLive(subject);
    Version v = version == -1 ? live.get(live.size() - 1)
        : live.stream().filter(x -> x.version() == version).findFirst()
            .orElseThrow(() -> RegistryException.versionNotFound(subject, version));
    return new RegisteredSchema(subject, v.version(), v.id(), schemasById.get(v.id()));
  }

  /** Soft-deletes every version of {@code subject}; returns the deleted version numbers. */
  public synchronized List<Integer> deleteSubject(String subject) {
    List<Version> live = requireLive(subject);
    List<Integer> deleted = live.stream().map(Version::version).toList();
    subjects.put(subject, new ArrayList<>(subjects.get(subject).stream()
        .map(v -> new Version(v.version(), v.id(), true)).toList()));
    append(event("delete").put("subject", subject));
    return deleted;
  }

  /** Whether {@code schema} may be registered next in {@code subject}. */
  public synchronized boolean isCompatible(String subject, Schema schema) {
    return levelFor(subject).allows(schema, liveSchemas(subject));
  }

  /** Whether {@code schema} is compatible with one given version (-1: latest) under the subject's level. */
  public synchronized boolean isCompatibleWith(String subject, int version, Schema schema) {
    Schema other = version(subject, version).schema();
    return levelFor(subject).allows(schema, List.of(other));
  }

  public synchronized CompatibilityLevel globalLevel() {
    return globalLevel;
  }

  public synchronized void setGlobalLevel(CompatibilityLevel level) {
    globalLevel = level;
    append(event("config").put("level", level.name()));
  }

  public synchronized Optional<CompatibilityLevel> subjectLevel(String subject) {
    return Optional.ofNullable(subjectLevels.get(subject));
  }

  public synchronized void setSubjectLevel(String subject, CompatibilityLevel level) {
    subjectLevels.put(subject, level);
    append(event("config").put("subject", subject).put("level", level.name()));
  }

  public synchronized List<Integer> schemaIds() {
    return new ArrayList<>(new TreeSet<>(schemasById.keySet()));
  }

  private CompatibilityLevel levelFor(String subject) {
    return subjectLevels.getOrDefault(subject, globalLevel);
  }

  private int idFor(Schema schema) {
    return idsByCanonical.computeIfAbsent(schema.toString(), k -> {
      int id = nextId++;
      schemasById.put(id, schema);
      return id;
    });
  }

  private List<Version> live(String subject) {
    return subjects.getOrDefault(subject, List.of()).stream().filter(v -> !v.deleted()).toList();
  }

  private List<Version> requireLive(String subject) {
    List<Version> live = live(subject);
    if (live.isEmpty()) {
      throw RegistryException.subjectNotFound(subject);
    }
    return live;
  }

  private List<Schema> liveSchemas(String subject) {
    return live(subject).stream().map(v -> schemasById.get(v.id())).toList();
  }

  private static ObjectNode event(String type) {
    return JSON.createObjectNode().put("event", type);
  }

  private void append(ObjectNode event) {
    if (journal == null) {
      return;
    }
    try {
      Files.writeString(journal, event.toString() + "\n", StandardCharsets.UTF_8,
          StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.SYNC);
    } catch (IOException e) {
      throw new RegistryException(500, RegistryException.STORE_ERROR, "Cannot write registry journal " + journal, e);
    }
  }

  private void replay(Path file) {
    try {
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        if (!line.isBlank()) {
          apply(JSON.readTree(line));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read registry journal " + file, e);
    }
  }

  private void apply(com.fasterxml.jackson.databind.JsonNode e) {
    String type = e.path("event").asText();
    String subject = e.path("subject").asText(null);
    switch (type) {
      case "register" -> {
        int id = e.get("id").asInt();
        Schema schema = parse(e.get("schema").asText());
        schemasById.put(id, schema);
        idsByCanonical.put(schema.toString(), id);
        nextId = Math.max(nextId, id + 1);
        subjects.computeIfAbsent(subject, s -> new ArrayList<>()).add(new Version(e.get("version").asInt(), id, false));
      }
      case "delete" -> subjects.computeIfPresent(subject, (s, versions) ->
          new ArrayList<>(versions.stream().map(v -> new Version(v.version(), v.id(), true)).toList()));
      case "config" -> {
        CompatibilityLevel level = CompatibilityLevel.parse(e.get("level").asText());
        if (subject == null) {
          globalLevel = level;
        } else {
          subjectLevels.put(subject, level);
        }
      }
      default -> throw new IllegalStateException("Unknown registry journal event: " + e);
    }
  }
}

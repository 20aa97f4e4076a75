package io.marginflow.registry.store;

import com.fasterxml.jackson.databind.JsonNode;
import io.marginflow.registry.RegisteredSchema;
import io.marginflow.registry.RegistryException;
import io.marginflow.registry.store.SubjectVersions.Version;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;

/**
 * The registry's state and rules, shared by the embedded HTTP server and the in-memory {@code mock://} client.
 *
 * <p>Ids are global: the same schema gets the same id under every subject, as in Confluent's registry.
 * Registering a schema already present in a subject returns its id without a new version. With a journal
 * file every change is appended as one JSON line and replayed on start, so ids survive a restart. The ids are
 * {@link SchemaIds}', the subjects' versions {@link SubjectVersions}', the file {@link SchemaJournal}'s.
 */
public final class SchemaStore {
  private final SchemaIds ids = new SchemaIds();
  private final SubjectVersions subjects = new SubjectVersions();
  private final Map<String, CompatibilityLevel> subjectLevels = new HashMap<>();
  private final SchemaJournal journal;
  private CompatibilityLevel globalLevel = CompatibilityLevel.BACKWARD;

  /** An in-memory store. */
  public SchemaStore() {
    this.journal = new SchemaJournal(null);
  }

  /** A store persisted to {@code journal} (created if absent, replayed if present). */
  public SchemaStore(Path journal) {
    this.journal = new SchemaJournal(journal);
    if (Files.exists(journal)) {
      this.journal.replay(this::apply);
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
    int id = ids.assign(schema);
    int version = subjects.add(subject, id);
    journal.append(SchemaJournal.event("register").put("subject", subject).put("version", version).put("id", id)
        .put("schema", schema.toString()));
    return new RegisteredSchema(subject, version, id, schema);
  }

  public synchronized Optional<RegisteredSchema> find(String subject, Schema schema) {
    Integer id = ids.idOf(schema);
    if (id == null) {
      return Optional.empty();
    }
    return subjects.live(subject).stream().filter(v -> v.id() == id).findFirst()
        .map(v -> new RegisteredSchema(subject, v.version(), v.id(), ids.get(v.id())));
  }

  public synchronized Schema byId(int id) {
    Schema schema = ids.get(id);
    if (schema == null) {
      throw RegistryException.schemaNotFound("with id " + id);
    }
    return schema;
  }

  public synchronized List<String> subjectsOf(int id) {
    byId(id);
    return subjects.subjectsWith(id);
  }

  public synchronized List<String> subjects() {
    return subjects.liveSubjects();
  }

  public synchronized List<Integer> versions(String subject) {
    return subjects.requireLive(subject).stream().map(Version::version).toList();
  }

  /** Version {@code version} of {@code subject}; -1 means latest. */
  public synchronized RegisteredSchema version(String subject, int version) {
    List<Version> live = subjects.requireLive(subject);
    Version v = version == -1 ? live.get(live.size() - 1)
        : live.stream().filter(x -> x.version() == version).findFirst()
            .orElseThrow(() -> RegistryException.versionNotFound(subject, version));
    return new RegisteredSchema(subject, v.version(), v.id(), ids.get(v.id()));
  }

  /** Soft-deletes every version of {@code subject}; returns the deleted version numbers. */
  public synchronized List<Integer> deleteSubject(String subject) {
    List<Integer> deleted = versions(subject);
    subjects.deleteAll(subject);
    journal.append(SchemaJournal.event("delete").put("subject", subject));
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
    journal.append(SchemaJournal.event("config").put("level", level.name()));
  }

  public synchronized Optional<CompatibilityLevel> subjectLevel(String subject) {
    return Optional.ofNullable(subjectLevels.get(subject));
  }

  public synchronized void setSubjectLevel(String subject, CompatibilityLevel level) {
    subjectLevels.put(subject, level);
    journal.append(SchemaJournal.event("config").put("subject", subject).put("level", level.name()));
  }

  public synchronized List<Integer> schemaIds() {
    return ids.ids();
  }

  private CompatibilityLevel levelFor(String subject) {
    return subjectLevels.getOrDefault(subject, globalLevel);
  }

  private List<Schema> liveSchemas(String subject) {
    return subjects.live(subject).stream().map(v -> ids.get(v.id())).toList();
  }

  /** Replays one journal event into the state (nothing is journalled again). */
  private void apply(JsonNode e) {
    String type = e.path("event").asText();
    String subject = e.path("subject").asText(null);
    switch (type) {
      case "register" -> {
        int id = e.get("id").asInt();
        ids.restore(id, parse(e.get("schema").asText()));
        subjects.restore(subject, e.get("version").asInt(), id);
      }
      case "delete" -> subjects.deleteAll(subject);
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

package io.marginflow.registry.store;

import io.marginflow.registry.RegistryException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Each subject's versions, in the order subjects were first registered: version number, schema id, and whether it
 * was (soft-)deleted. Not thread-safe: {@link SchemaStore} guards it.
 */
final class SubjectVersions {
  private final Map<String, List<Version>> subjects = new LinkedHashMap<>();

  /** One version of a subject. */
  record Version(int version, int id, boolean deleted) {
  }

  /** Adds the next version of {@code subject} with schema {@code id}; returns its number. */
  int add(String subject, int id) {
    List<Version> versions = subjects.computeIfAbsent(subject, s -> new ArrayList<>());
    int version = versions.isEmpty() ? 1 : versions.get(versions.size() - 1).version() + 1;
    versions.add(new Version(version, id, false));
    return version;
  }

  /** Adds version {@code version} of {@code subject} as it was before a restart. */
  void restore(String subject, int version, int id) {
    subjects.computeIfAbsent(subject, s -> new ArrayList<>()).add(new Version(version, id, false));
  }

  /** Marks every version of {@code subject} deleted, if it has any. */
  void deleteAll(String subject) {
    subjects.computeIfPresent(subject, (s, versions) ->
        new ArrayList<>(versions.stream().map(v -> new Version(v.version(), v.id(), true)).toList()));
  }

  /** The versions of {@code subject} not deleted, oldest first (empty for an unknown subject). */
  List<Version> live(String subject) {
    return subjects.getOrDefault(subject, List.of()).stream().filter(v -> !v.deleted()).toList();
  }

  /** As {@link #live}, but a subject without live versions is not found (40401). */
  List<Version> requireLive(String subject) {
    List<Version> live = live(subject);
    if (live.isEmpty()) {
      throw RegistryException.subjectNotFound(subject);
    }
    return live;
  }

  /** The subjects with a live version of schema {@code id}. */
  List<String> subjectsWith(int id) {
    List<String> out = new ArrayList<>();
    subjects.forEach((subject, versions) -> {
      if (versions.stream().anyMatch(v -> v.id() == id && !v.deleted())) {
        out.add(subject);
      }
    });
    return out;
  }

  /** The subjects with any live version. */
  List<String> liveSubjects() {
    List<String> out = new ArrayList<>();
    subjects.forEach((subject, versions) -> {
      if (versions.stream().anyMatch(v -> !v.deleted())) {
        out.add(subject);
      }
    });
    return out;
  }
}

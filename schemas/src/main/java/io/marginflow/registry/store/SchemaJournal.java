package io.marginflow.registry.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.marginflow.registry.RegistryException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.Consumer;

/**
 * The store's journal file: every change appended (and synced) as one JSON line, all of them read back on start. A
 * store without a file journals nothing.
 */
final class SchemaJournal {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path file;

  /** A journal in {@code file}; null: none (nothing is written). */
  SchemaJournal(Path file) {
    this.file = file;
  }

  /** A new event of {@code type}, for its fields to be added. */
  static ObjectNode event(String type) {
    return JSON.createObjectNode().put("event", type);
  }

  /** Hands every event in the file (which must exist), oldest first, to {@code apply}. */
  void replay(Consumer<JsonNode> apply) {
    try {
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        if (!line.isBlank()) {
          apply.accept(JSON.readTree(line));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read registry journal " + file, e);
    }
  }

  void append(ObjectNode event) {
    if (file == null) {
      return;
    }
    try {
      Files.writeString(file, event.toString() + "\n", StandardCharsets.UTF_8,
          StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.SYNC);
    } catch (IOException e) {
      throw new RegistryException(500, RegistryException.STORE_ERROR, "Cannot write registry journal " + file, e);
    }
  }
}

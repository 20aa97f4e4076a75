package io.marginflow.ops.replay;

import io.marginflow.schemas.AvroJson;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.marginflow.topology.query.Json;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;

/** JSON-lines files of Avro records (see {@link AvroJson} for the mapping). */
public final class JsonLines {
  private static final ObjectMapper JSON = Json.MAPPER;

  private JsonLines() {
  }

  public static ObjectNode toJson(SpecificRecord record) {
    return AvroJson.toJson(record);
  }

  /** Writes one JSON object per line (an empty file for no records). */
  public static void write(Path file, List<? extends JsonNode> lines) throws IOException {
    try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      for (JsonNode n : lines) {
        w.write(JSON.writeValueAsString(n));
        w.write('\n');
      }
    }
  }

  /** Reads a JSON-lines file. */
  public static List<JsonNode> read(Path file) throws IOException {
    List<JsonNode> out = new java.util.ArrayList<>();
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      if (!line.isBlank()) {
        out.add(JSON.readTree(line));
      }
    }
    return out;
  }
}

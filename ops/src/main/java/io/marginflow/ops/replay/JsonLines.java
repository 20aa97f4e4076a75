package io.marginflow.ops.replay;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.Writer;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;

/** Avro records as JSON lines: fields named as in the schemas, times as epoch ms, money as JSON numbers. */
public final class JsonLines {
  private static final ObjectMapper JSON = new ObjectMapper();

  private JsonLines() {
  }

  public static ObjectNode toJson(SpecificRecord record) {
    ObjectNode node = JsonNodeFactory.instance.objectNode();
    for (Schema.Field f : record.getSchema().getFields()) {
      node.set(f.name(), value(record.get(f.pos())));
    }
    return node;
  }

  private static JsonNode value(Object v) {
    JsonNodeFactory f = JsonNodeFactory.instance;
    if (v == null) {
      return f.nullNode();
    } else if (v instanceof SpecificRecord r) {
      return toJson(r);
    } else if (v instanceof Instant i) {
      return f.numberNode(i.toEpochMilli());
    } else if (v instanceof BigDecimal d) {
      return f.numberNode(d);
    } else if (v instanceof Long l) {
      return f.numberNode(l);
    } else if (v instanceof Integer i) {
      return f.numberNode(i);
    } else if (v instanceof Double d) {
      return f.numberNode(d);
    } else if (v instanceof Boolean b) {
      return f.booleanNode(b);
    } else if (v instanceof ByteBuffer b) {
      ByteBuffer copy = b.duplicate();
      byte[] bytes = new byte[copy.remaining()];
      copy.get(bytes);
      return f.textNode(Base64.getEncoder().encodeToString(bytes));
    } else if (v instanceof Collection<?> c) {
      ArrayNode a = f.arrayNode();
      c.forEach(x -> a.add(value(x)));
      return a;
    }
    return f.textNode(v.toString());
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

package io.marginflow.schemas;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Base64;
import java.util.Collection;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;

/**
 * Avro records as JSON: fields named as in the schemas, times as epoch ms, money and other numbers as JSON numbers
 * (write them with WRITE_BIGDECIMAL_AS_PLAIN for plain notation), bytes as base64.
 */
public final class AvroJson {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  private AvroJson() {
  }

  public static ObjectNode toJson(SpecificRecord record) {
    ObjectNode node = F.objectNode();
    for (Schema.Field f : record.getSchema().getFields()) {
      node.set(f.name(), value(record.get(f.pos())));
    }
    return node;
  }

  public static JsonNode value(Object v) {
    if (v == null) {
      return F.nullNode();
    } else if (v instanceof SpecificRecord r) {
      return toJson(r);
    } else if (v instanceof Instant i) {
      return F.numberNode(i.toEpochMilli());
    } else if (v instanceof BigDecimal d) {
      return F.numberNode(d);
    } else if (v instanceof Long l) {
      return F.numberNode(l);
    } else if (v instanceof Integer i) {
      return F.numberNode(i);
    } else if (v instanceof Double d) {
      // Physical quantities (kWh, watts) as their shortest decimal, in plain notation like the money beside them.
      return d.isNaN() || d.isInfinite() ? F.nullNode() : F.numberNode(BigDecimal.valueOf(d));
    } else if (v instanceof Boolean b) {
      return F.booleanNode(b);
    } else if (v instanceof ByteBuffer b) {
      ByteBuffer copy = b.duplicate();
      byte[] bytes = new byte[copy.remaining()];
      copy.get(bytes);
      return F.textNode(Base64.getEncoder().encodeToString(bytes));
    } else if (v instanceof Collection<?> c) {
      ArrayNode a = F.arrayNode();
      c.forEach(x -> a.add(value(x)));
      return a;
    }
    return F.textNode(v.toString());
  }
}

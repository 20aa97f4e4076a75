package io.marginflow.ops.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.marginflow.topology.query.Json;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/** OTLP trace export requests, binary protobuf or OTLP/JSON, as the spans the gateway reads. */
public final class OtlpTraces {
  private OtlpTraces() {
  }

  /** A body that is not an export request: the answer is 400 with this message. */
  public static final class BadRequest extends Exception {
    public BadRequest(String message) {
      super(message);
    }
  }

  public static List<SpanView> fromProtobuf(byte[] body) throws BadRequest {
    ExportTraceServiceRequest request;
    try {
      request = ExportTraceServiceRequest.parseFrom(body);
    } catch (InvalidProtocolBufferException e) {
      throw new BadRequest("not an OTLP ExportTraceServiceRequest (protobuf): " + e.getMessage());
    }
    List<SpanView> out = new ArrayList<>();
    for (ResourceSpans rs : request.getResourceSpansList()) {
      Map<String, Object> resource = attributes(rs.getResource().getAttributesList());
      for (ScopeSpans ss : rs.getScopeSpansList()) {
        for (Span s : ss.getSpansList()) {
          out.add(new SpanView(hex(s.getTraceId()), hex(s.getSpanId()), s.getEndTimeUnixNano(),
              attributes(s.getAttributesList()), resource, null));
        }
      }
    }
    return out;
  }

  private static Map<String, Object> attributes(List<KeyValue> kvs) {
    Map<String, Object> out = new HashMap<>();
    for (KeyValue kv : kvs) {
      AnyValue v = kv.getValue();
      Object value = switch (v.getValueCase()) {
        case STRING_VALUE -> v.getStringValue();
        case INT_VALUE -> v.getIntValue();
        case DOUBLE_VALUE -> v.getDoubleValue();
        case BOOL_VALUE -> v.getBoolValue();
        case VALUE_NOT_SET -> null;
        default -> v.toString();
      };
      if (value != null) {
        out.put(kv.getKey(), value);
      }
    }
    return out;
  }

  private static String hex(ByteString id) {
    return HexFormat.of().formatHex(id.toByteArray());
  }

  /**
   * OTLP/JSON: lowerCamelCase field names (snake_case accepted too), trace and span ids in hex, 64-bit integers as
   * strings or numbers.
   */
  /** Where a JSON body broke, in the client's terms (line and column), without the parser's internals. */
  static String where(IOException e) {
    if (e instanceof com.fasterxml.jackson.core.JsonProcessingException j && j.getLocation() != null) {
      return " (at line " + j.getLocation().getLineNr() + ", column " + j.getLocation().getColumnNr() + ")";
    }
    return "";
  }

  public static List<SpanView> fromJson(byte[] body) throws BadRequest {
    JsonNode root;
    try {
      root = Json.MAPPER.readTree(body);
    } catch (IOException e) {
      throw new BadRequest("not JSON" + where(e));
    }
    if (root == null || !root.isObject()) {
      throw new BadRequest("an OTLP/JSON ExportTraceServiceRequest is a JSON object");
    }
    List<SpanView> out = new ArrayList<>();
    for (JsonNode rs : array(root, "resourceSpans", "resource_spans")) {
      Map<String, Object> resource = attributes(field(field(rs, "resource", "resource"), "attributes", "attributes"));
      for (JsonNode ss : array(rs, "scopeSpans", "scope_spans")) {
        for (JsonNode s : array(ss, "spans", "spans")) {
          out.add(new SpanView(text(field(s, "traceId", "trace_id")).toLowerCase(java.util.Locale.ROOT),
              text(field(s, "spanId", "span_id")).toLowerCase(java.util.Locale.ROOT),
              unsigned(field(s, "endTimeUnixNano", "end_time_unix_nano")), attributes(field(s, "attributes", "attributes")),
              resource, s.toString()));
        }
      }
    }
    return out;
  }

  private static Map<String, Object> attributes(JsonNode kvs) {
    Map<String, Object> out = new HashMap<>();
    if (kvs == null || !kvs.isArray()) {
      return out;
    }
    for (JsonNode kv : kvs) {
      Object value = anyValue(kv.path("value"));
      if (value != null && kv.hasNonNull("key")) {
        out.put(kv.get("key").asText(), value);
      }
    }
    return out;
  }

  /**
   * An OTLP/JSON AnyValue as String, Long (or the string of a 64-bit int), Double, Boolean, or nested JSON text. A
   * number that is not a 64-bit integer (beyond 64 bits, a fraction) comes as its exact decimal text, never wrapped or
   * rounded: the mapping refuses it with its reason.
   */
  private static Object anyValue(JsonNode v) {
    if (v.has("stringValue") || v.has("string_value")) {
      return text(field(v, "stringValue", "string_value"));
    }
    if (v.has("intValue") || v.has("int_value")) {
      JsonNode n = field(v, "intValue", "int_value");
      if (n.isIntegralNumber() && n.canConvertToLong()) {
        return n.longValue();
      }
      return n.isNumber() ? n.decimalValue().toString() : n.asText();
    }
    if (v.has("doubleValue") || v.has("double_value")) {
      JsonNode n = field(v, "doubleValue", "double_value");
      return n.isNumber() ? n.decimalValue().toString() : n.asText();
    }
    if (v.has("boolValue") || v.has("bool_value")) {
      return field(v, "boolValue", "bool_value").asBoolean();
    }
    return !v.isMissingNode() && v.size() > 0 ? v.toString() : null;
  }

  private static Iterable<JsonNode> array(JsonNode node, String camel, String snake) {
    JsonNode a = field(node, camel, snake);
    return a != null && a.isArray() ? a : List.of();
  }

  private static JsonNode field(JsonNode node, String camel, String snake) {
    if (node == null) {
      return null;
    }
    return node.has(camel) ? node.get(camel) : node.get(snake);
  }

  private static String text(JsonNode n) {
    return n == null || n.isNull() ? "" : n.asText();
  }

  /** A fixed64 in OTLP/JSON: a decimal string (or number); 0 when absent or not a number. */
  private static long unsigned(JsonNode n) {
    if (n == null || n.isNull()) {
      return 0;
    }
    try {
      return Long.parseUnsignedLong(n.asText());
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /** The span as OTLP/JSON for the dead-letter queue (protobuf spans are written back out this way). */
  static String json(SpanView span) {
    if (span.original() != null) {
      return span.original();
    }
    ObjectNode o = Json.MAPPER.createObjectNode().put("traceId", span.traceId()).put("spanId", span.spanId())
        .put("endTimeUnixNano", Long.toUnsignedString(span.endTimeUnixNano()));
    ArrayNode attrs = o.putArray("attributes");
    span.attributes().forEach((k, v) -> attrs.addObject().put("key", k).putObject("value").put("stringValue", String.valueOf(v)));
    ArrayNode res = o.putArray("resourceAttributes");
    span.resource().forEach((k, v) -> res.addObject().put("key", k).putObject("value").put("stringValue", String.valueOf(v)));
    return o.toString();
  }
}

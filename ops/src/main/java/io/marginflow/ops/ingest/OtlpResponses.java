package io.marginflow.ops.ingest;

import com.google.protobuf.CodedOutputStream;
import io.javalin.http.Context;
import io.opentelemetry.proto.collector.trace.v1.ExportTracePartialSuccess;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.marginflow.topology.query.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/** OTLP/HTTP answers, in the request's encoding: ExportTraceServiceResponse, or google.rpc.Status for 4xx and 5xx. */
final class OtlpResponses {
  private OtlpResponses() {
  }

  /** 200: accepted, with partial_success when {@code rejected} > 0 (OTLP: the client must not retry those). */
  static void exported(Context ctx, boolean protobuf, long rejected, String message) {
    ctx.status(200);
    if (protobuf) {
      ExportTraceServiceResponse.Builder r = ExportTraceServiceResponse.newBuilder();
      if (rejected > 0) {
        r.setPartialSuccess(ExportTracePartialSuccess.newBuilder().setRejectedSpans(rejected).setErrorMessage(message));
      }
      ctx.contentType(IngestGateway.PROTOBUF).result(r.build().toByteArray());
    } else {
      var r = Json.MAPPER.createObjectNode();
      if (rejected > 0) {
        r.putObject("partialSuccess").put("rejectedSpans", Long.toString(rejected)).put("errorMessage", message);
      }
      ctx.contentType("application/json").result(r.toString());
    }
  }

  /** A failure: google.rpc.Status {code, message} (code 3 INVALID_ARGUMENT for 4xx, 14 UNAVAILABLE for 5xx). */
  static void status(Context ctx, boolean protobuf, int httpStatus, String message) {
    int code = httpStatus >= 500 ? 14 : 3;
    ctx.status(httpStatus);
    if (!protobuf) {
      ctx.contentType("application/json").result(Json.MAPPER.createObjectNode().put("code", code)
          .put("message", message == null ? "" : message).toString());
      return;
    }
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      CodedOutputStream out = CodedOutputStream.newInstance(bytes);
      out.writeInt32(1, code);
      out.writeString(2, message == null ? "" : message);
      out.flush();
      ctx.contentType(IngestGateway.PROTOBUF).result(bytes.toByteArray());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

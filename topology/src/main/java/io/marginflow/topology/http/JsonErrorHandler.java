package io.marginflow.topology.http;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Errors Jetty answers itself (a malformed request line, an ambiguous URI, headers or a URI too long, a body too large)
 * in the APIs' own JSON shape, {@code {"status": 431, "error": "..."}}, whatever the client accepts, never with a stack
 * trace or a server version.
 */
public final class JsonErrorHandler extends ErrorHandler {
  public JsonErrorHandler() {
    setShowStacks(false);
    setShowMessageInTitle(false);
  }

  /** Every method gets the JSON body (Jetty's default writes one for GET, POST and HEAD only). */
  @Override
  public boolean errorPageForMethod(String method) {
    return true;
  }

  @Override
  protected void generateResponse(Request request, Response response, int code, String message, Throwable cause,
      Callback callback) throws IOException {
    // A server error's message may name an exception class: the client gets the status's own words.
    String error = code >= 500 || message == null || message.isBlank() ? HttpStatus.getMessage(code) : message;
    SecurityHeaders.add((name, value) -> response.getHeaders().put(name, value));
    byte[] body = JsonNodeFactory.instance.objectNode().put("status", code).put("error", error).toString()
        .getBytes(StandardCharsets.UTF_8);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
    response.write(true, ByteBuffer.wrap(body), callback);
  }
}

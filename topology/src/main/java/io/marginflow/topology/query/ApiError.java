package io.marginflow.topology.query;

/** An HTTP error answered as JSON {"status", "error"}; 503s carry a Retry-After. */
public final class ApiError extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final int status;
  private final int retryAfterSeconds;

  public ApiError(int status, String message) {
    this(status, message, 0);
  }

  public ApiError(int status, String message, int retryAfterSeconds) {
    super(message);
    this.status = status;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  public int status() {
    return status;
  }

  public int retryAfterSeconds() {
    return retryAfterSeconds;
  }

  public static ApiError badRequest(String message) {
    return new ApiError(400, message);
  }

  public static ApiError notFound(String message) {
    return new ApiError(404, message);
  }

  /** State is moving (rebalance, restoration): the client should retry shortly. */
  public static ApiError unavailable(String message) {
    return new ApiError(503, message, 1);
  }
}

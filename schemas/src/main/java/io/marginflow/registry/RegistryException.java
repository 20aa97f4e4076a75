package io.marginflow.registry;

/**
 * An error answered by a schema registry, carrying Confluent's HTTP status and error code.
 *
 * <p>Codes follow the Confluent REST API: 40101 unauthorized, 40401 subject not found, 40402 version not
 * found, 40403 schema not found, 409 incompatible schema, 42201 invalid schema, 42202 invalid version,
 * 42203 invalid compatibility level, 50001 backend store error.
 */
public final class RegistryException extends RuntimeException {
  public static final int UNAUTHORIZED = 40101;
  public static final int SUBJECT_NOT_FOUND = 40401;
  public static final int VERSION_NOT_FOUND = 40402;
  public static final int SCHEMA_NOT_FOUND = 40403;
  public static final int SUBJECT_COMPATIBILITY_NOT_CONFIGURED = 40408;
  public static final int INCOMPATIBLE_SCHEMA = 409;
  public static final int INVALID_SCHEMA = 42201;
  public static final int INVALID_VERSION = 42202;
  public static final int INVALID_COMPATIBILITY_LEVEL = 42203;
  public static final int STORE_ERROR = 50001;
  public static final int UNREACHABLE = -1;

  private static final long serialVersionUID = 1L;

  private final int httpStatus;
  private final int errorCode;

  public RegistryException(int httpStatus, int errorCode, String message) {
    this(httpStatus, errorCode, message, null);
  }

  public RegistryException(int httpStatus, int errorCode, String message, Throwable cause) {
    super(message + " (HTTP " + httpStatus + ", error code " + errorCode + ")", cause);
    this.httpStatus = httpStatus;
    this.errorCode = errorCode;
  }

  /** The HTTP status the registry answered with (or -1 when it could not be reached). */
  public int httpStatus() {
    return httpStatus;
  }

  /** Confluent's error code, e.g. 40401. */
  public int errorCode() {
    return errorCode;
  }

  /** The registry's own message, without the status suffix. */
  public String registryMessage() {
    String m = getMessage();
    int cut = m.lastIndexOf(" (HTTP ");
    return cut < 0 ? m : m.substring(0, cut);
  }

  public static RegistryException subjectNotFound(String subject) {
    return new RegistryException(404, SUBJECT_NOT_FOUND, "Subject '" + subject + "' not found.");
  }

  public static RegistryException versionNotFound(String subject, Object version) {
    return new RegistryException(404, VERSION_NOT_FOUND, "Version " + version + " not found for subject '" + subject + "'.");
  }

  public static RegistryException schemaNotFound(String what) {
    return new RegistryException(404, SCHEMA_NOT_FOUND, "Schema " + what + " not found.");
  }

  public static RegistryException invalidSchema(String detail) {
    return new RegistryException(422, INVALID_SCHEMA, "Invalid schema: " + detail);
  }
}

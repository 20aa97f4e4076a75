package io.marginflow.topology.query;

import java.util.HashMap;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.kafka.common.config.ConfigException;

/** Bearer tokens from configuration ({@code http.tokens=token1=admin,token2=tenant-7}), each mapped to admin or a tenant. */
public final class ApiTokens {
  public static final String ADMIN = "admin";
  static final Pattern TENANT = Pattern.compile("[A-Za-z0-9._:@-]{1,128}");

  /** Who a request speaks for. */
  public record Principal(String name) {
    public boolean isAdmin() {
      return ADMIN.equals(name);
    }

    /** 403 unless admin or {@code tenant} itself. */
    public void requireTenant(String tenant) {
      if (!isAdmin() && !name.equals(tenant)) {
        throw new ApiError(403, "this token may read tenant " + name + " only");
      }
    }

    public void requireAdmin() {
      if (!isAdmin()) {
        throw new ApiError(403, "this query spans tenants: it needs an admin token");
      }
    }
  }

  private final Map<String, Principal> byToken;

  private ApiTokens(Map<String, Principal> byToken) {
    this.byToken = Map.copyOf(byToken);
  }

  public static ApiTokens parse(String key, String spec) {
    Map<String, Principal> out = new HashMap<>();
    if (spec != null && !spec.isBlank()) {
      for (String pair : spec.split(",")) {
        String[] tp = pair.trim().split("=", 2);
        if (tp.length != 2 || tp[0].isBlank() || !TENANT.matcher(tp[1].trim()).matches()) {
          throw new ConfigException(key, "<hidden>", "must be token=admin or token=<tenant>, comma-separated");
        }
        out.put(tp[0].trim(), new Principal(tp[1].trim()));
      }
    }
    return new ApiTokens(out);
  }

  /** The principal of an Authorization header; 401 when missing or unknown. */
  public Principal authenticate(String authorization) {
    if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      throw new ApiError(401, "missing bearer token (Authorization: Bearer <token>)");
    }
    Principal p = byToken.get(authorization.substring(7).trim());
    if (p == null) {
      throw new ApiError(401, "unknown token");
    }
    return p;
  }
}

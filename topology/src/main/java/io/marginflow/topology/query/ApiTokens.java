package io.marginflow.topology.query;

import java.util.HashMap;
import java.util.Map;
import io.marginflow.schemas.Ids;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.config.ConfigException;

/**
 * Bearer tokens from configuration ({@code http.tokens=token1=admin,token2=tenant-7}), each mapped to admin or a tenant.
 * A tenant id is percent-encoded where it holds characters of the list's syntax ({@code , = %} or white space), so that
 * every id the pipeline accepts can have its token.
 */
public final class ApiTokens {
  public static final String ADMIN = "admin";

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
        String tenant = tp.length == 2 ? decode(tp[1].trim()) : null;
        if (tp.length != 2 || tp[0].isBlank() || tenant == null || !Ids.valid(tenant)) {
          throw new ConfigException(key, "<hidden>", "must be token=admin or token=<tenant>, comma-separated (a tenant "
              + "id percent-encoded where it holds , = % or white space)");
        }
        out.put(tp[0].trim(), new Principal(tenant));
      }
    }
    return new ApiTokens(out);
  }

  /** Percent-decoding that keeps '+' (a tenant id may hold one); null when malformed. */
  private static String decode(String s) {
    try {
      return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /** For start-up lines: how many tokens of each kind, never a token. */
  public String describe() {
    long admins = byToken.values().stream().filter(Principal::isAdmin).count();
    return byToken.isEmpty() ? "no token configured (http.tokens): every /v1 call is refused with 401"
        : byToken.size() + " token(s) configured: " + admins + " admin, " + (byToken.size() - admins) + " tenant";
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

package org.eventgateway.auth;

import java.util.Locale;

/**
 * Where a client puts its API key: {@code Authorization: Bearer <key>} or {@code X-API-Key: <key>} on HTTP, the
 * same names (lower case) among a bridge frame's headers. Never logged, never forwarded.
 */
public final class Credentials {
  public static final String AUTHORIZATION = "authorization";
  public static final String API_KEY = "x-api-key";

  private Credentials() {}

  /** The key from an Authorization or X-API-Key value pair (either may be null); null when there is none. */
  public static String from(String authorization, String apiKey) {
    if (apiKey != null && !apiKey.isBlank()) {
      return apiKey.trim();
    }
    if (authorization != null && authorization.length() > 7
      && authorization.substring(0, 7).toLowerCase(Locale.ROOT).equals("bearer ")) {
      String token = authorization.substring(7).trim();
      return token.isEmpty() ? null : token;
    }
    return null;
  }

  /** Whether a request offered anything as a credential (a malformed Authorization counts: it is refused, not ignored). */
  public static boolean offered(String authorization, String apiKey) {
    return (authorization != null && !authorization.isBlank()) || (apiKey != null && !apiKey.isBlank());
  }
}

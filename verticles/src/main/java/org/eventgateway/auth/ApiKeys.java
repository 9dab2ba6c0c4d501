package org.eventgateway.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * API keys: {@code egw_<id>_<secret>}, 256 random bits of secret, and the public id that names the key in the
 * principals file, logs and the audit trail. Only the SHA-256 of the whole key is stored: the secret has full
 * entropy, so a slow password hash would add cost on every request and no protection.
 */
public final class ApiKeys {
  static final String PREFIX = "egw_";
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JVM has no SHA-256", e);
    }
  });

  private ApiKeys() {}

  /** A new key; the caller shows it once and stores only {@link #hash}. */
  public static String generate() {
    byte[] id = new byte[4];
    byte[] secret = new byte[32];
    RANDOM.nextBytes(id);
    RANDOM.nextBytes(secret);
    return PREFIX + HexFormat.of().formatHex(id) + "_" + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
  }

  /** Lower-case hex SHA-256 of the key's UTF-8 bytes. */
  public static String hash(String key) {
    MessageDigest digest = SHA256.get();
    digest.reset();
    return HexFormat.of().formatHex(digest.digest(key.getBytes(StandardCharsets.UTF_8)));
  }

  /** The key's public id, or null when it does not have the shape of one of ours. */
  public static String idOf(String key) {
    if (key == null || !key.startsWith(PREFIX) || key.length() < PREFIX.length() + 10 || key.charAt(PREFIX.length() + 8) != '_') {
      return null;
    }
    return key.substring(PREFIX.length(), PREFIX.length() + 8);
  }
}

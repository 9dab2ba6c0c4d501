package org.eventgateway.support;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.util.Arrays;
import java.util.Base64;

/**
 * What an identity provider does, with the JDK alone, for the JWT tests: RSA key pairs, their public keys as a
 * JWKS, and RS256 tokens signed with a pair's private key under a given {@code kid}.
 */
public final class TestJwt {
  private TestJwt() {}

  public static KeyPair rsa() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(2048);
      return generator.generateKeyPair();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  public static JsonObject jwks(JsonObject... keys) {
    return new JsonObject().put("keys", new JsonArray(Arrays.asList((Object[]) keys)));
  }

  /** The pair's public key as a JWK (RS256, for signatures). */
  public static JsonObject jwk(String kid, KeyPair pair) {
    RSAPublicKey pub = (RSAPublicKey) pair.getPublic();
    return new JsonObject().put("kty", "RSA").put("kid", kid).put("alg", "RS256").put("use", "sig")
      .put("n", b64(unsigned(pub.getModulus()))).put("e", b64(unsigned(pub.getPublicExponent())));
  }

  /** header.payload.signature, RS256 with the pair's private key. */
  public static String sign(String kid, KeyPair pair, JsonObject claims) {
    try {
      String head = b64(new JsonObject().put("alg", "RS256").put("typ", "JWT").put("kid", kid).encode().getBytes(StandardCharsets.UTF_8));
      String body = b64(claims.encode().getBytes(StandardCharsets.UTF_8));
      Signature s = Signature.getInstance("SHA256withRSA");
      s.initSign(pair.getPrivate());
      s.update((head + "." + body).getBytes(StandardCharsets.US_ASCII));
      return head + "." + body + "." + b64(s.sign());
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  public static String b64(byte[] bytes) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  private static byte[] unsigned(BigInteger n) {
    byte[] b = n.toByteArray();
    return b[0] == 0 ? Arrays.copyOfRange(b, 1, b.length) : b;
  }
}

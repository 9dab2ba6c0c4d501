package org.eventgateway.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;

/**
 * The bench's identity provider, made with the JDK alone (java.security, no JOSE library), as JwtIT makes
 * one: an RSA key pair (2048 bits) made for the run, its public half as a JWKS file for the gateway's
 * {@code auth.jwt.jwksFile} (a temporary file, deleted at exit), and RS256 tokens signed with the private
 * half, carrying {@link #ISSUER} and {@link #AUDIENCE} for the gateway to check.
 */
final class BenchJwt {
  /** The {@code iss} of every token, and the issuer the gateway is told to require. */
  static final String ISSUER = "https://bench.eventgateway.invalid";
  /** The {@code aud} of every token, and the audience the gateway is told to require. */
  static final String AUDIENCE = "event-gateway-bench";
  private static final String KID = "bench-rs256";

  private final KeyPair pair;

  private BenchJwt(KeyPair pair) {
    this.pair = pair;
  }

  /** A signer with a key pair of its own. */
  static BenchJwt create() {
    try {
      KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
      rsa.initialize(2048);
      return new BenchJwt(rsa.generateKeyPair());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("no RSA key pair generator in this JDK", e);
    }
  }

  /** The public key as a JWKS ({"keys":[{kty RSA, kid, alg RS256, use sig, n, e}]}) in a file of its own. */
  Path writeJwks() throws IOException {
    RSAPublicKey pub = (RSAPublicKey) pair.getPublic();
    JsonObject jwk = new JsonObject().put("kty", "RSA").put("kid", KID).put("alg", "RS256").put("use", "sig")
      .put("n", b64(unsigned(pub.getModulus()))).put("e", b64(unsigned(pub.getPublicExponent())));
    Path file = Files.createTempFile("bench-jwks", ".json");
    file.toFile().deleteOnExit();
    Files.writeString(file, new JsonObject().put("keys", new JsonArray().add(jwk)).encode());
    return file;
  }

  /** An RS256 token for {@code subject} with this space-separated {@code scope}, issued now and valid for {@code validity}. */
  String token(String subject, String scope, Duration validity) {
    long now = Instant.now().getEpochSecond();
    JsonObject claims = new JsonObject().put("sub", subject).put("iss", ISSUER).put("aud", AUDIENCE).put("iat", now)
      .put("exp", now + validity.toSeconds()).put("scope", scope);
    String head = b64(new JsonObject().put("alg", "RS256").put("typ", "JWT").put("kid", KID).encode().getBytes(StandardCharsets.UTF_8));
    String body = b64(claims.encode().getBytes(StandardCharsets.UTF_8));
    try {
      Signature rs256 = Signature.getInstance("SHA256withRSA");
      rs256.initSign(pair.getPrivate());
      rs256.update((head + "." + body).getBytes(StandardCharsets.US_ASCII));
      return head + "." + body + "." + b64(rs256.sign());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot sign with SHA256withRSA", e);
    }
  }

  /** A JWK's n and e: big-endian without the sign byte {@link BigInteger#toByteArray} may lead with. */
  private static byte[] unsigned(BigInteger n) {
    byte[] b = n.toByteArray();
    return b[0] == 0 ? Arrays.copyOfRange(b, 1, b.length) : b;
  }

  private static String b64(byte[] bytes) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}

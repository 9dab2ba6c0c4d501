package org.eventgateway.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.eventgateway.auth.ApiKeys;
import org.eventgateway.auth.PrincipalsFile;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * How the bench's load proves who it is to a gateway, beside the gateway's {@code auth} section that asks for
 * it: none (authentication off, the shipped default), an API key whose principal may do everything, or a JWT
 * whose scope is everything, each sent as {@code Authorization: Bearer}. Every HTTP request the bench sends to
 * a gateway carries that gateway's {@link #headers}, its /metrics reads included. A new kind joins {@link Kind}
 * with its own branch of {@link Kind#issue}; the switch there is exhaustive, so the compiler names every place
 * a new kind must be handled.
 */
record BenchCredential(Kind kind, JsonObject authSection, Map<String, String> headers) {
  /** Authentication off: the baseline every other kind is measured against. */
  static final BenchCredential NONE = new BenchCredential(Kind.NONE, new JsonObject().put("enabled", false), Map.of());

  /** The kinds of credential the bench can run a gateway with. */
  enum Kind {
    NONE("off", "authentication off"),
    API_KEY("api-key", "API key (Authorization: Bearer)"),
    JWT("jwt", "JWT, RS256 (Authorization: Bearer)");

    /** For topic, log and label names: target/bench-auth-{slug}.log. */
    final String slug;
    /** For the report. */
    final String label;

    Kind(String slug, String label) {
      this.slug = slug;
      this.label = label;
    }

    /** A fresh credential of this kind, with whatever the gateway needs to accept it (a principals file, a JWKS). */
    BenchCredential issue() throws IOException {
      return switch (this) {
        case NONE -> BenchCredential.NONE;
        case API_KEY -> apiKey();
        case JWT -> jwt();
      };
    }
  }

  /**
   * A new key for the principal "bench" with the permission {@code *}, in a principals file of its own (a
   * temporary file, mode 600, deleted at exit), as {@code ./gateway keys add} would write it.
   */
  private static BenchCredential apiKey() throws IOException {
    String key = ApiKeys.generate();
    Path file = Files.createTempFile("bench-principals", ".json");
    file.toFile().deleteOnExit();
    Files.writeString(file, PrincipalsFile.addKey(new JsonObject(), "bench", List.of("*"), key, Instant.now()).encode());
    return new BenchCredential(Kind.API_KEY, new JsonObject().put("enabled", true).put("principalsFile", file.toAbsolutePath().toString()),
      Map.of("authorization", "Bearer " + key));
  }

  /**
   * One RS256 token for the principal "bench" with the scope {@code *}, sent on every request of the run: it
   * expires a day after it is made, far beyond any run, so it never lapses mid-run and the gateway, which keeps
   * a verified token until it expires, checks its signature once per verticle instance and serves every later
   * request from that cache (the row measures the cached path). Signed by a key pair made here
   * ({@link BenchJwt}), whose JWKS the auth section trusts, with the issuer and audience checked and the
   * default 30 s of leeway. The principals file is an empty one of its own (a temporary file, deleted at exit):
   * the shipped one's keys play no part.
   */
  private static BenchCredential jwt() throws IOException {
    BenchJwt signer = BenchJwt.create();
    Path principals = Files.createTempFile("bench-principals", ".json");
    principals.toFile().deleteOnExit();
    Files.writeString(principals, new JsonObject().put("principals", new JsonArray()).encode());
    JsonObject jwt = new JsonObject().put("jwksFile", signer.writeJwks().toAbsolutePath().toString())
      .put("issuer", BenchJwt.ISSUER).put("audience", BenchJwt.AUDIENCE).put("leewaySeconds", 30);
    return new BenchCredential(Kind.JWT, new JsonObject().put("enabled", true)
      .put("principalsFile", principals.toAbsolutePath().toString()).put("jwt", jwt),
      Map.of("authorization", "Bearer " + signer.token("bench", "*", Duration.ofDays(1))));
  }

  /** True when the gateway must refuse a request without {@link #headers}. */
  boolean required() {
    return authSection.getBoolean("enabled", false);
  }
}

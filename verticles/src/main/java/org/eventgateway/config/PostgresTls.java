package org.eventgateway.config;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.ClientSSLOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.SslMode;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;

/**
 * TLS on the gateway's PostgreSQL connections, with libpq's names and meanings: {@code postgres.sslMode}
 * ({@code PGSSLMODE}: {@code disable}, {@code allow}, {@code prefer} — the default, as in libpq —, {@code require},
 * {@code verify-ca}, {@code verify-full}), {@code sslRootCert} ({@code PGSSLROOTCERT}: the PEM CA the server's
 * certificate must chain to), {@code sslCert} and {@code sslKey} ({@code PGSSLCERT}, {@code PGSSLKEY}: a client
 * certificate chain and its unencrypted key, PEM). As in libpq, {@code allow}, {@code prefer} and
 * {@code require} encrypt without checking the server unless a root certificate is given, and then check the
 * chain (as {@code verify-ca}); {@code verify-full} also checks the host name against the certificate. Unlike
 * libpq, nothing is read from {@code ~/.postgresql/}.
 *
 * <p>The files are read once, when the configuration is read: a missing or unreadable one stops the start with
 * the setting named, and a renewed certificate is taken by a restart. {@code toString} shows file names only.
 */
public final class PostgresTls {
  /** Plaintext: {@code sslMode: disable}, and always the embedded server (loopback only). */
  public static final PostgresTls DISABLED = new PostgresTls(SslMode.DISABLE, "", "", "", null, null, null);

  private final SslMode mode;
  private final String rootCertFile;
  private final String certFile;
  private final String keyFile;
  private final Buffer rootCert;
  private final Buffer cert;
  private final Buffer key;

  private PostgresTls(SslMode mode, String rootCertFile, String certFile, String keyFile, Buffer rootCert, Buffer cert, Buffer key) {
    this.mode = mode;
    this.rootCertFile = rootCertFile;
    this.certFile = certFile;
    this.keyFile = keyFile;
    this.rootCert = rootCert;
    this.cert = cert;
    this.key = key;
  }

  /** The {@code postgres} section's settings, the files read and checked. */
  static PostgresTls from(JsonObject pg) {
    String name = pg.getString("sslMode", "prefer");
    SslMode mode;
    try {
      mode = SslMode.of(name);
    } catch (IllegalArgumentException e) {
      throw new ConfigException("postgres.sslMode (PGSSLMODE) '" + name + "' is not one of disable, allow, prefer, require, verify-ca, verify-full");
    }
    if (mode == SslMode.DISABLE) {
      return DISABLED;
    }
    String root = pg.getString("sslRootCert", "").trim();
    String certPath = pg.getString("sslCert", "").trim();
    String keyPath = pg.getString("sslKey", "").trim();
    if (root.isEmpty() && (mode == SslMode.VERIFY_CA || mode == SslMode.VERIFY_FULL)) {
      throw new ConfigException("PGSSLMODE=" + mode.value + " verifies the server's certificate and needs the CA to verify it with: "
        + "set PGSSLROOTCERT (postgres.sslRootCert) to that CA's PEM file");
    }
    if (certPath.isEmpty() != keyPath.isEmpty()) {
      throw new ConfigException("a client certificate needs both PGSSLCERT (postgres.sslCert) and PGSSLKEY (postgres.sslKey); only "
        + (certPath.isEmpty() ? "PGSSLKEY" : "PGSSLCERT") + " is set");
    }
    Buffer rootPem = root.isEmpty() ? null : certificates(root, "PGSSLROOTCERT (postgres.sslRootCert)");
    Buffer certPem = certPath.isEmpty() ? null : certificates(certPath, "PGSSLCERT (postgres.sslCert)");
    Buffer keyPem = keyPath.isEmpty() ? null : privateKey(keyPath);
    return new PostgresTls(mode, root, certPath, keyPath, rootPem, certPem, keyPem);
  }

  public SslMode mode() {
    return mode;
  }

  /** The connection settings for this mode: verification as libpq does it, the client certificate if any. */
  public PgConnectOptions applyTo(PgConnectOptions options) {
    options.setSslMode(mode);
    if (mode == SslMode.DISABLE) {
      return options;
    }
    ClientSSLOptions ssl = new ClientSSLOptions();
    if (rootCert != null) {
      ssl.setTrustOptions(new PemTrustOptions().addCertValue(rootCert.copy()));
    } else {
      ssl.setTrustAll(true); // allow, prefer, require without a root certificate: encrypted, the server not checked (libpq's meaning)
    }
    // vertx-pg-client checks the host name only when an algorithm is named; "" checks the chain alone.
    ssl.setHostnameVerificationAlgorithm(mode == SslMode.VERIFY_FULL ? "HTTPS" : "");
    if (cert != null) {
      ssl.setKeyCertOptions(new PemKeyCertOptions().addCertValue(cert.copy()).addKeyValue(key.copy()));
    }
    return options.setSslOptions(ssl);
  }

  /** The settings as config keys (file names, never their content; empty ones left out). */
  private JsonObject describe() {
    JsonObject out = new JsonObject().put("sslMode", mode.value);
    if (!rootCertFile.isEmpty()) {
      out.put("sslRootCert", rootCertFile);
    }
    if (!certFile.isEmpty()) {
      out.put("sslCert", certFile).put("sslKey", keyFile);
    }
    return out;
  }

  @Override
  public String toString() {
    return "PostgresTls" + describe().encode();
  }

  private static Buffer certificates(String path, String setting) {
    byte[] pem = read(path, setting);
    try {
      if (CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(pem)).isEmpty()) {
        throw new CertificateException("none");
      }
    } catch (CertificateException e) {
      throw new ConfigException(setting + ": " + path + " holds no PEM certificate");
    }
    return Buffer.buffer(pem);
  }

  private static Buffer privateKey(String path) {
    String setting = "PGSSLKEY (postgres.sslKey)";
    byte[] pem = read(path, setting);
    String text = new String(pem, StandardCharsets.US_ASCII);
    if (text.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----") || text.contains("Proc-Type: 4,ENCRYPTED")) {
      throw new ConfigException(setting + ": " + path + " is encrypted; give the key unencrypted (PKCS#8 PEM), readable by the gateway only");
    }
    if (!text.contains("-----BEGIN PRIVATE KEY-----") && !text.contains("-----BEGIN RSA PRIVATE KEY-----")
      && !text.contains("-----BEGIN EC PRIVATE KEY-----")) {
      throw new ConfigException(setting + ": " + path + " holds no PEM private key (-----BEGIN PRIVATE KEY-----)");
    }
    return Buffer.buffer(pem);
  }

  private static byte[] read(String path, String setting) {
    try {
      return Files.readAllBytes(Path.of(path));
    } catch (NoSuchFileException e) {
      throw new ConfigException(setting + ": no such file " + path);
    } catch (AccessDeniedException e) {
      throw new ConfigException(setting + ": " + path + " is not readable by the gateway (permission denied)");
    } catch (IOException e) {
      throw new ConfigException(setting + ": cannot read " + path + " (" + e.getClass().getSimpleName() + ")");
    }
  }
}

package org.eventgateway.bench;

import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemTrustOptions;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * HTTPS for a bench gateway: a CA and a server certificate it signs (RSA 2048, SAN ip:127.0.0.1, serverAuth, valid
 * two days) made at bench time with the JDK's own keytool, in a temporary directory deleted at exit (nothing is
 * committed, nothing downloaded), as the tests' TestCertificates makes them. The gateway gets the PEM chain (server
 * certificate first) and PKCS#8 key as {@code ingest.tls}; the bench's clients trust the CA and verify the server's
 * name as a real client does (Vert.x's and the JDK's host verification; never trust-all).
 */
final class BenchTls {
  /** Protects the temporary PKCS12 stores only; the PEM key the gateway reads has no password. */
  private static final String PASS = "bench-only";

  private final Path ca;
  private final Path chain;
  private final Path key;

  private BenchTls(Path ca, Path chain, Path key) {
    this.ca = ca;
    this.chain = chain;
    this.key = key;
  }

  /** A new CA and server certificate for 127.0.0.1, in a directory of their own (deleted at exit). */
  static BenchTls create() throws IOException {
    Path dir = Files.createTempDirectory("bench-tls");
    Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(dir), "bench-tls-cleanup"));
    String caStore = dir.resolve("ca.p12").toString();
    String serverStore = dir.resolve("server.p12").toString();
    Path ca = dir.resolve("ca.pem");
    Path csr = dir.resolve("server.csr");
    Path cert = dir.resolve("server.crt");
    keytool("-genkeypair", "-alias", "ca", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=gateway-bench-ca", "-ext", "bc:c",
      "-validity", "2", "-keystore", caStore, "-storetype", "PKCS12", "-storepass", PASS);
    keytool("-exportcert", "-rfc", "-alias", "ca", "-keystore", caStore, "-storepass", PASS, "-file", ca.toString());
    keytool("-genkeypair", "-alias", "server", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=127.0.0.1", "-validity", "2",
      "-keystore", serverStore, "-storetype", "PKCS12", "-storepass", PASS);
    keytool("-certreq", "-alias", "server", "-keystore", serverStore, "-storepass", PASS, "-file", csr.toString());
    keytool("-gencert", "-rfc", "-alias", "ca", "-keystore", caStore, "-storepass", PASS, "-infile", csr.toString(),
      "-outfile", cert.toString(), "-validity", "2", "-ext", "SAN=ip:127.0.0.1", "-ext", "EKU=serverAuth");
    Path chain = dir.resolve("server-chain.pem");
    Files.writeString(chain, Files.readString(cert) + Files.readString(ca));
    Path key = dir.resolve("server-key.pem");
    Files.writeString(key, "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
      .encodeToString(privateKey(serverStore).getEncoded()) + "\n-----END PRIVATE KEY-----\n");
    return new BenchTls(ca, chain, key);
  }

  /** The gateway's {@code ingest.tls} section: HTTPS on its ingest port, with this certificate. */
  JsonObject ingestSection() {
    return new JsonObject().put("certFile", chain.toAbsolutePath().toString()).put("keyFile", key.toAbsolutePath().toString());
  }

  /** A Vert.x client's options made HTTPS, trusting this CA only, the server's name verified (Vert.x's default, set anyway). */
  HttpClientOptions client(HttpClientOptions options) {
    return options.setSsl(true).setTrustOptions(new PemTrustOptions().addCertPath(ca.toAbsolutePath().toString())).setVerifyHost(true);
  }

  /** For the JDK's HttpClient (readiness and /metrics): trusts this CA only; the client verifies the name itself. */
  SSLContext sslContext() {
    try (InputStream in = Files.newInputStream(ca)) {
      KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
      trust.load(null, null);
      trust.setCertificateEntry("bench-ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
      TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      factory.init(trust);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, factory.getTrustManagers(), null);
      return context;
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException("could not read the bench CA " + ca + ": " + e, e);
    }
  }

  private static Key privateKey(String store) throws IOException {
    try (InputStream in = Files.newInputStream(Path.of(store))) {
      KeyStore keys = KeyStore.getInstance("PKCS12");
      keys.load(in, PASS.toCharArray());
      return keys.getKey("server", PASS.toCharArray());
    } catch (GeneralSecurityException e) {
      throw new IOException("could not read the server key from " + store + ": " + e, e);
    }
  }

  private static void keytool(String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(System.getProperty("java.home") + File.separator + "bin" + File.separator + "keytool");
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    try {
      if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
        process.destroyForcibly();
        throw new IOException("keytool " + args[0] + " failed: " + out);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted waiting for keytool " + args[0], e);
    }
  }

  private static void deleteTree(Path root) {
    try (var paths = Files.walk(root)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // best effort: a temporary directory
    }
  }
}

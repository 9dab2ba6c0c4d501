package org.eventgateway.support;

import java.io.File;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Key;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Certificates made for a test run with the JDK's own keytool (nothing committed, nothing downloaded): a CA, and
 * leaf certificates it signs, each written as PEM (the leaf's chain with the CA, and its PKCS#8 key).
 */
public final class TestCertificates {
  private static final String PASS = "test-only";
  private final Path dir;

  public TestCertificates(Path dir) {
    this.dir = dir;
    keytool("-genkeypair", "-alias", "ca", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=gateway-test-ca", "-ext", "bc:c",
      "-validity", "2", "-keystore", p12("ca"), "-storetype", "PKCS12", "-storepass", PASS);
    keytool("-exportcert", "-rfc", "-alias", "ca", "-keystore", p12("ca"), "-storepass", PASS, "-file", ca().toString());
  }

  /** The CA certificate (PEM): what clients trust, and what client certificates must chain to. */
  public Path ca() {
    return dir.resolve("ca.pem");
  }

  /** A leaf signed by the CA: {chain PEM, key PEM}. {@code server}: for 127.0.0.1 (SAN), else a client certificate. */
  public Path[] leaf(String name, String commonName, boolean server) {
    keytool("-genkeypair", "-alias", "leaf", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=" + commonName, "-validity", "2",
      "-keystore", p12(name), "-storetype", "PKCS12", "-storepass", PASS);
    Path csr = dir.resolve(name + ".csr");
    Path cert = dir.resolve(name + ".crt");
    keytool("-certreq", "-alias", "leaf", "-keystore", p12(name), "-storepass", PASS, "-file", csr.toString());
    List<String> sign = new ArrayList<>(List.of("-gencert", "-rfc", "-alias", "ca", "-keystore", p12("ca"), "-storepass", PASS,
      "-infile", csr.toString(), "-outfile", cert.toString(), "-validity", "2"));
    sign.addAll(server ? List.of("-ext", "SAN=ip:127.0.0.1", "-ext", "EKU=serverAuth") : List.of("-ext", "EKU=clientAuth"));
    keytool(sign.toArray(String[]::new));
    try {
      Path chain = dir.resolve(name + "-chain.pem");
      Files.writeString(chain, Files.readString(cert) + Files.readString(ca()));
      KeyStore store = KeyStore.getInstance("PKCS12");
      try (InputStream in = Files.newInputStream(Path.of(p12(name)))) {
        store.load(in, PASS.toCharArray());
      }
      Key key = store.getKey("leaf", PASS.toCharArray());
      Path keyFile = dir.resolve(name + "-key.pem");
      Files.writeString(keyFile, "-----BEGIN PRIVATE KEY-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(key.getEncoded()) + "\n-----END PRIVATE KEY-----\n");
      return new Path[] {chain, keyFile};
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private String p12(String name) {
    return dir.resolve(name + ".p12").toString();
  }

  private static void keytool(String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(System.getProperty("java.home") + File.separator + "bin" + File.separator + "keytool");
    cmd.addAll(List.of(args));
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new AssertionError("keytool " + String.join(" ", args) + " failed: " + out);
      }
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}

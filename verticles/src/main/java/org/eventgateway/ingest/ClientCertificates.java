package org.eventgateway.ingest;

import io.vertx.core.http.HttpConnection;

import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.SSLPeerUnverifiedException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * The identity of a client that connected with a certificate the TLS handshake verified ({@code ingest.tls.clientAuth}
 * request or require, against {@code trustFile}): its subject's common name, which the principals file maps to a
 * principal like any other.
 */
final class ClientCertificates {
  private ClientCertificates() {}

  /** The CN of the verified client certificate, or null when the client sent none. */
  static String commonName(HttpConnection connection) {
    List<Certificate> chain;
    try {
      chain = connection.peerCertificates();
    } catch (SSLPeerUnverifiedException none) {
      return null;
    }
    if (chain == null || chain.isEmpty() || !(chain.get(0) instanceof X509Certificate cert)) {
      return null;
    }
    try {
      for (Rdn rdn : new LdapName(cert.getSubjectX500Principal().getName()).getRdns()) {
        if (rdn.getType().equalsIgnoreCase("CN")) {
          return String.valueOf(rdn.getValue());
        }
      }
    } catch (InvalidNameException e) {
      return null;
    }
    return null;
  }
}

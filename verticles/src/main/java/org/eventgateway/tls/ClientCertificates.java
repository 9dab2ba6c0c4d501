package org.eventgateway.tls;

import io.vertx.core.http.HttpConnection;
import io.vertx.core.net.NetSocket;

import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.SSLPeerUnverifiedException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * The identity of a client that connected with a certificate the TLS handshake verified ({@code tls.clientAuth}
 * request or require, against {@code trustFile}; HTTPS or the TCP bridge): its subject's common name, which the
 * principals file maps to a principal like any other.
 */
public final class ClientCertificates {
  private ClientCertificates() {}

  /** The CN of the HTTPS client's verified certificate, or null when it sent none. */
  public static String commonName(HttpConnection connection) {
    try {
      return commonName(connection.peerCertificates());
    } catch (SSLPeerUnverifiedException none) {
      return null;
    }
  }

  /** The CN of the TCP bridge client's verified certificate, or null when it sent none or the socket is plaintext. */
  public static String commonName(NetSocket socket) {
    if (!socket.isSsl()) {
      return null;
    }
    try {
      return commonName(socket.peerCertificates());
    } catch (SSLPeerUnverifiedException none) {
      return null;
    }
  }

  private static String commonName(List<Certificate> chain) {
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

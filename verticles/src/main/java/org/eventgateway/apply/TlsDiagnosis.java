package org.eventgateway.apply;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.ClientSSLOptions;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import io.vertx.pgclient.SslMode;
import org.eventgateway.config.ErrorText;

import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Why PostgreSQL refused the gateway's TLS, in words naming the setting to fix. A refusal the server states (its
 * alert about the client certificate) or that says no TLS at all is read from the error. But vertx-pg-client
 * reports a failed check of the server's certificate as "SSL handshake failed", the reason dropped; so then this
 * connects again with one check relaxed at a time — the host name, then the CA, then the client certificate — and
 * the first relaxation that lets the handshake through names what was wrong. These probes send no password (a
 * server that is not who it should be learns nothing) and run only when the start has already failed.
 */
final class TlsDiagnosis {
  static final String HANDSHAKE_FAILED = "SSL handshake failed";
  private static final Pattern ALERT = Pattern.compile("Received fatal alert: (\\w+)");
  private static final Set<String> CLIENT_CERTIFICATE_ALERTS = Set.of("unknown_ca", "bad_certificate", "certificate_required",
    "certificate_unknown", "certificate_expired", "certificate_revoked", "unsupported_certificate", "access_denied");

  private TlsDiagnosis() {}

  /** The reason, or null when the failure is not about TLS (or no relaxation explains it). Never fails. */
  static Future<String> explain(Vertx vertx, PgConnectOptions failed, Throwable err) {
    SslMode mode = failed.getSslMode();
    if (mode == SslMode.DISABLE || mode == SslMode.ALLOW || mode == SslMode.PREFER) {
      return Future.succeededFuture(null); // these fall back to plaintext: a failure is not TLS's
    }
    String setting = "PGSSLMODE=" + mode.value;
    String message = ErrorText.rootMessage(err);
    String stated = fromMessage(message, failed.getSslOptions().getKeyCertOptions() != null, setting);
    if (stated != null || !message.contains(HANDSHAKE_FAILED)) {
      return Future.succeededFuture(stated);
    }
    ClientSSLOptions ssl = failed.getSslOptions();
    Future<String> hostName = mode != SslMode.VERIFY_FULL ? Future.succeededFuture(null)
      : handshakes(vertx, failed, o -> o.setHostnameVerificationAlgorithm("")).map(through -> through ? hostName(setting) : null);
    return hostName.compose(found -> found != null || ssl.getTrustOptions() == null || ssl.isTrustAll() ? Future.succeededFuture(found)
        : handshakes(vertx, failed, o -> o.setHostnameVerificationAlgorithm("").setTrustOptions(null).setTrustAll(true))
          .map(through -> through ? notSigned(setting) : null))
      .compose(found -> found != null || ssl.getKeyCertOptions() == null ? Future.succeededFuture(found)
        : handshakes(vertx, failed, o -> o.setHostnameVerificationAlgorithm("").setTrustOptions(null).setTrustAll(true).setKeyCertOptions(null))
          .map(through -> through ? refused(setting, "") : null))
      .map(found -> found != null ? found : "the TLS handshake failed (" + setting + "; check PGSSLROOTCERT, PGSSLCERT, PGSSLKEY)")
      .otherwise((String) null);
  }

  /** The reason when the error itself says it, else null. */
  static String fromMessage(String message, boolean clientCertificate, String setting) {
    if (message.contains("does not handle SSL")) {
      return "the server does not accept TLS connections (" + setting + ") — turn ssl on in the server, "
        + "or set PGSSLMODE=prefer to use TLS only where offered";
    }
    if (message.contains("No subject alternative") || message.contains("No name matching")) {
      return hostName(setting);
    }
    if (message.contains("PKIX path")) {
      return notSigned(setting);
    }
    Matcher alert = ALERT.matcher(message);
    if (alert.find() && CLIENT_CERTIFICATE_ALERTS.contains(alert.group(1))) {
      return clientCertificate ? refused(setting, alert.group(1) + ", ")
        : "the server asks for a client certificate (" + alert.group(1) + ", " + setting + ") — set PGSSLCERT and PGSSLKEY";
    }
    return null;
  }

  private static String hostName(String setting) {
    return "the server's certificate does not match the host name (" + setting + ") — connect by a name or address the "
      + "certificate holds (PGHOST), or use PGSSLMODE=verify-ca";
  }

  private static String notSigned(String setting) {
    return "the server's certificate is not signed by the CA in PGSSLROOTCERT (" + setting + ")";
  }

  private static String refused(String setting, String alert) {
    return "the server refused the client certificate in PGSSLCERT/PGSSLKEY (" + alert + setting + ")";
  }

  /** Whether a connection with {@code relax} applied gets through the handshake (what follows it does not matter). */
  private static Future<Boolean> handshakes(Vertx vertx, PgConnectOptions failed, UnaryOperator<ClientSSLOptions> relax) {
    PgConnectOptions probe = new PgConnectOptions(failed).setPassword("").setReconnectAttempts(0)
      .setSslMode(SslMode.REQUIRE).setSslOptions(relax.apply(failed.getSslOptions().copy()));
    return PgConnection.connect(vertx, probe)
      .compose(conn -> conn.close().otherwiseEmpty().map(true),
        err -> Future.succeededFuture(!ErrorText.rootMessage(err).contains(HANDSHAKE_FAILED)));
  }
}

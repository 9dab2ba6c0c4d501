package org.eventgateway.apply;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The TLS failures whose reason is in the error itself, each named with the setting to fix (PostgresTlsIT has the rest). */
class TlsDiagnosisTest {
  private static void says(String expected, String message, boolean clientCertificate) {
    String reason = TlsDiagnosis.fromMessage(message, clientCertificate, "PGSSLMODE=verify-full");
    assertTrue(reason != null && reason.contains(expected), message + " -> " + reason);
  }

  @Test
  void whatTheErrorSaysIsNamed() {
    says("does not accept TLS connections (PGSSLMODE=verify-full)", "Postgres Server does not handle SSL connection", false);
    says("does not match the host name", "No subject alternative names matching IP address 10.0.0.9 found", false);
    says("does not match the host name", "No name matching db.example found", false);
    says("not signed by the CA in PGSSLROOTCERT", "PKIX path building failed: unable to find valid certification path", false);
    says("refused the client certificate in PGSSLCERT/PGSSLKEY (unknown_ca, PGSSLMODE=verify-full)",
      "Received fatal alert: unknown_ca", true);
    says("asks for a client certificate (certificate_required, PGSSLMODE=verify-full) — set PGSSLCERT and PGSSLKEY",
      "Received fatal alert: certificate_required", false);
  }

  @Test
  void otherFailuresAreLeftToTheProbesOrTheGenericMessage() {
    assertNull(TlsDiagnosis.fromMessage(TlsDiagnosis.HANDSHAKE_FAILED, true, "PGSSLMODE=require"));
    assertNull(TlsDiagnosis.fromMessage("Connection refused: /127.0.0.1:5432", true, "PGSSLMODE=require"));
    assertNull(TlsDiagnosis.fromMessage("Received fatal alert: protocol_version", true, "PGSSLMODE=require"));
  }
}

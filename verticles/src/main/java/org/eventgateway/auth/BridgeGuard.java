package org.eventgateway.auth;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import org.eventgateway.contract.Addresses;
import org.eventgateway.contract.AuditEntries;

import java.util.function.Consumer;

/**
 * Access to the event-bus bridges (SockJS and TCP), frame by frame: the key comes in the frame's headers
 * ({@code authorization: Bearer …} or {@code x-api-key}); publishing to {@link Addresses#INGEST_PUBLISH} needs
 * {@code produce} on the body's topic, receiving {@link Addresses#LAG_UPDATES} needs {@code lag.read}, registering to a
 * remote group's {@link Addresses#groupDeliver} and answering its {@link Addresses#groupReply} need {@code consume:<group>}. A frame let
 * through loses its credential headers and carries the principal's name in {@link #PRINCIPAL_HEADER} instead
 * (a client's own value of it is overwritten). A frame refused is reported to the audit trail.
 */
public final class BridgeGuard {
  /** The message header the ingest verticle reads the bridged publisher's name from. */
  public static final String PRINCIPAL_HEADER = "gateway-principal";

  private final Authenticator authenticator;
  private final Consumer<JsonObject> audit;

  /**
   * {@code authenticator} null when authentication is off: every frame then comes from {@link Principal#ANONYMOUS}.
   * {@code audit} takes an entry per refused frame.
   */
  public BridgeGuard(Authenticator authenticator, Consumer<JsonObject> audit) {
    this.authenticator = authenticator;
    this.audit = audit;
  }

  /**
   * Null when the frame may pass (its headers rewritten), else the reason for the client's error frame. Already
   * complete unless a token's signing key had to be fetched.
   */
  public Future<String> admit(JsonObject frame, boolean inbound, String address, String remote) {
    return admit(frame, inbound, address, remote, null);
  }

  /**
   * {@code certificateName}: the CN of the connection's verified client certificate (TCP bridge over TLS), or null.
   * A frame without a key or token is then that certificate's principal; a frame's own credential wins.
   */
  public Future<String> admit(JsonObject frame, boolean inbound, String address, String remote, String certificateName) {
    boolean group = Addresses.groupOfDeliver(address) != null || Addresses.groupOfReply(address) != null;
    String action = group ? "consume" : inbound ? "produce" : "lag.read";
    String request = "bridge " + frame.getValue("type") + " " + address;
    JsonObject headers = frame.getValue("headers") instanceof JsonObject h ? h : new JsonObject();
    if (authenticator == null) {
      return Future.succeededFuture(admitted(Principal.ANONYMOUS, frame, headers, inbound, address, action, request, remote));
    }
    String authorization = headers.getValue(Credentials.AUTHORIZATION) instanceof String a ? a : null;
    String apiKey = headers.getValue(Credentials.API_KEY) instanceof String k ? k : null;
    if (!Credentials.offered(authorization, apiKey) && certificateName != null) {
      Principal named = authenticator.byCertificate(certificateName);
      return Future.succeededFuture(named != null ? admitted(named, frame, headers, inbound, address, action, request, remote)
        : refused(null, action, address, request, 401, "unauthorized: client certificate '" + certificateName
          + "' names no principal of this gateway", remote));
    }
    if (!Credentials.offered(authorization, apiKey)) {
      return Future.succeededFuture(refused(null, action, address, request, 401,
        "unauthorized: put an API key or token in the frame's headers (authorization: Bearer <credential>, or x-api-key)", remote));
    }
    return authenticator.authenticate(Credentials.from(authorization, apiKey)).transform(ar -> Future.succeededFuture(ar.succeeded()
      ? admitted(ar.result(), frame, headers, inbound, address, action, request, remote)
      : refused(null, action, address, request, 401, "unauthorized: " + ar.cause().getMessage(), remote)));
  }

  private String admitted(Principal who, JsonObject frame, JsonObject headers, boolean inbound, String address, String action,
                          String request, String remote) {
    String denied = inbound ? inboundDenial(who, address, frame) : outboundDenial(who, address);
    if (denied != null) {
      return refused(who.name(), action, address, request, 403, denied, remote);
    }
    headers.remove(Credentials.AUTHORIZATION);
    headers.remove(Credentials.API_KEY);
    headers.put(PRINCIPAL_HEADER, who.name());
    frame.put("headers", headers);
    return null;
  }

  private String refused(String principal, String action, String target, String request, int status, String reason, String remote) {
    audit.accept(AuditEntries.entry(principal, action, target, request, "denied: " + reason, status, remote));
    return reason;
  }

  private static String inboundDenial(Principal who, String address, JsonObject frame) {
    String group = Addresses.groupOfReply(address);
    if (group != null) {
      return consumeDenial(who, group);
    }
    if (!Addresses.INGEST_PUBLISH.equals(address)) {
      return null; // the bridge policy refuses it anyway
    }
    Object body = frame.getValue("body");
    Object topic = body instanceof JsonObject b ? b.getValue("topic") : null;
    if (topic instanceof String t && !who.may("produce", t)) {
      return "forbidden: principal '" + who.name() + "' may not produce to topic '" + t + "' (needs produce:" + t + ")";
    }
    return null; // no topic: the ingest verticle's validation answers that
  }

  private static String outboundDenial(Principal who, String address) {
    String group = Addresses.groupOfDeliver(address);
    if (group != null) {
      return consumeDenial(who, group);
    }
    if (Addresses.LAG_UPDATES.equals(address) && !who.may("lag.read", null)) {
      return "forbidden: principal '" + who.name() + "' may not read the lag feed (needs lag.read)";
    }
    return null;
  }

  private static String consumeDenial(Principal who, String group) {
    return who.may("consume", group) ? null
      : "forbidden: principal '" + who.name() + "' may not consume group '" + group + "' (needs consume:" + group + ")";
  }
}

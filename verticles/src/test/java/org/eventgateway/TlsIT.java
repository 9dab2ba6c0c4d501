package org.eventgateway;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.StreamResetException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eventgateway.support.BridgeFrame;
import org.eventgateway.support.Poll;
import org.eventgateway.support.RawKafka;
import org.eventgateway.support.TestCertificates;
import org.eventgateway.support.TestGateway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * HTTPS on the HTTP listener, with certificates the test makes with keytool: a produce over TLS is served; a
 * client certificate the CA signed is served as the principal its CN names (and named in produced-by); a client
 * without one and without a key is 401, and with {@code require} it gets no connection; the WebSocket works over
 * TLS; plaintext on the TLS port and a TLS 1.1 client get nothing; new
 * certificate files are served to new connections without a restart; the TCP bridge speaks TLS when configured;
 * HTTP/2 is offered through ALPN, with the stream limit and a body deadline per stream.
 */
class TlsIT {
  private static TestGateway gw;
  private static TestCertificates certs;
  private static Path[] served;
  private static Path[] client;

  @BeforeAll
  static void start() throws Exception {
    Path dir = Files.createTempDirectory("tls-it");
    certs = new TestCertificates(dir);
    Path[] server = certs.leaf("server", "gateway-one", true);
    served = new Path[] {dir.resolve("served-chain.pem"), dir.resolve("served-key.pem")};
    Files.copy(server[0], served[0]);
    Files.copy(server[1], served[1]);
    client = certs.leaf("client", "order-service", false);
    gw = TestGateway.create();
    Path principals = dir.resolve("principals.json");
    Files.writeString(principals, new JsonObject().put("principals", new JsonArray().add(new JsonObject().put("name", "order-service")
      .put("permissions", new JsonArray().add("produce:" + gw.topic)))).encode());
    gw.start(new JsonObject()
      .put("auth", new JsonObject().put("enabled", true).put("principalsFile", principals.toString()))
      .put("ingest", new JsonObject().put("requestBodyTimeoutMs", 1500).put("http2MaxConcurrentStreams", 7).put("tls", new JsonObject().put("certFile", served[0].toString()).put("keyFile", served[1].toString())
        .put("clientAuth", "request").put("trustFile", certs.ca().toString()).put("reloadIntervalMs", 200))));
  }

  @AfterAll
  static void stop() {
    gw.close();
  }

  private static WebClient https(boolean withCertificate, Set<String> protocols) {
    WebClientOptions options = new WebClientOptions().setSsl(true).setVerifyHost(true)
      .setTrustOptions(new PemTrustOptions().addCertPath(certs.ca().toString())).setEnabledSecureTransportProtocols(protocols);
    if (withCertificate) {
      options.setKeyCertOptions(new PemKeyCertOptions().setCertPath(client[0].toString()).setKeyPath(client[1].toString()));
    }
    return WebClient.create(gw.vertx(), options);
  }

  private static io.vertx.core.Future<HttpResponse<Buffer>> post(WebClient web, String id) {
    return web.post(gw.httpPort, "127.0.0.1", "/topics/" + gw.topic).putHeader("content-type", "application/json")
      .sendBuffer(new JsonObject().put("records", new JsonArray().add(TestGateway.order(id, "c", "s", 1, 1.0, 1).put("partition", 0))).toBuffer());
  }

  @Test
  void aClientCertificateIsItsPrincipalAndAClientWithoutOneNeedsAKey() {
    HttpResponse<Buffer> mtls = Poll.await(post(https(true, Set.of("TLSv1.3", "TLSv1.2")), "tls-1"));
    assertEquals(200, mtls.statusCode(), mtls.bodyAsString());
    ConsumerRecord<String, byte[]> record = RawKafka.readAll(gw.topic).stream()
      .filter(r -> "tls-1".equals(RawKafka.headers(r).get("event-id"))).findFirst().orElseThrow();
    assertEquals("order-service", RawKafka.headers(record).get("produced-by"));
    HttpResponse<Buffer> anonymous = Poll.await(post(https(false, Set.of("TLSv1.3")), "tls-2"));
    assertEquals(401, anonymous.statusCode(), "TLS alone is no identity: " + anonymous.bodyAsString());
  }

  @Test
  void theWebSocketWorksOverTls() {
    io.vertx.core.http.WebSocketClient ws = gw.vertx().createWebSocketClient(new io.vertx.core.http.WebSocketClientOptions().setSsl(true)
      .setVerifyHost(true).setTrustOptions(new PemTrustOptions().addCertPath(certs.ca().toString()))
      .setKeyCertOptions(new PemKeyCertOptions().setCertPath(client[0].toString()).setKeyPath(client[1].toString())));
    io.vertx.core.http.WebSocket socket = Poll.await(ws.connect(gw.httpPort, "127.0.0.1", "/ws/ingest"));
    java.util.List<JsonObject> answers = new java.util.concurrent.CopyOnWriteArrayList<>();
    socket.textMessageHandler(t -> answers.add(new JsonObject(t)));
    socket.writeTextMessage(new JsonObject().put("topic", gw.topic).put("ref", "w1")
      .put("records", new JsonArray().add(TestGateway.order("tls-ws-1", "c", "s", 1, 1.0, 1))).encode());
    JsonObject answer = Poll.until("the frame's answer", Duration.ofSeconds(15),
      () -> answers.stream().filter(a -> "w1".equals(a.getString("ref"))).findFirst().orElse(null), a -> a != null);
    assertTrue(answer.containsKey("offsets"), answer.encode());
    socket.close();
  }

  @Test
  void withRequireAClientWithoutACertificateIsRefused() throws Exception {
    Path[] server = certs.leaf("strict", "gateway-strict", true);
    try (TestGateway strict = TestGateway.create()) {
      strict.start(new JsonObject().put("ingest", new JsonObject().put("tls", new JsonObject().put("certFile", server[0].toString())
        .put("keyFile", server[1].toString()).put("clientAuth", "require").put("trustFile", certs.ca().toString()))));
      WebClient none = WebClient.create(strict.vertx(), new WebClientOptions().setSsl(true)
        .setTrustOptions(new PemTrustOptions().addCertPath(certs.ca().toString())));
      assertThrows(AssertionError.class, () -> Poll.await(none.get(strict.httpPort, "127.0.0.1", "/health").send(), Duration.ofSeconds(10)));
      WebClient with = WebClient.create(strict.vertx(), new WebClientOptions().setSsl(true)
        .setTrustOptions(new PemTrustOptions().addCertPath(certs.ca().toString()))
        .setKeyCertOptions(new PemKeyCertOptions().setCertPath(client[0].toString()).setKeyPath(client[1].toString())));
      assertEquals(200, Poll.await(with.get(strict.httpPort, "127.0.0.1", "/health").send()).statusCode());
    }
  }

  private static io.vertx.core.http.HttpClient http2() {
    return gw.vertx().createHttpClient(new io.vertx.core.http.HttpClientOptions().setSsl(true).setUseAlpn(true)
      .setProtocolVersion(HttpVersion.HTTP_2).setVerifyHost(true).setTrustOptions(new PemTrustOptions().addCertPath(certs.ca().toString()))
      .setKeyCertOptions(new PemKeyCertOptions().setCertPath(client[0].toString()).setKeyPath(client[1].toString())));
  }

  private static RequestOptions produceRequest() {
    return new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(gw.httpPort).setURI("/topics/" + gw.topic)
      .putHeader("content-type", "application/json");
  }

  @Test
  void httpsSpeaksHttp2ThroughAlpnWithTheConfiguredStreamLimit() {
    io.vertx.core.http.HttpClient h2 = http2();
    Buffer body = new JsonObject().put("records", new JsonArray().add(TestGateway.order("tls-h2-1", "c", "s", 1, 1.0, 1).put("partition", 0))).toBuffer();
    java.util.Map.Entry<HttpClientResponse, Buffer> answer = Poll.await(h2.request(produceRequest()).compose(req -> req.send(body)
      .compose(r -> r.body().map(b -> java.util.Map.entry(r, b)))));
    HttpClientResponse response = answer.getKey();
    assertEquals(HttpVersion.HTTP_2, response.version());
    assertEquals(200, response.statusCode());
    assertTrue(answer.getValue().toJsonObject().containsKey("offsets"), answer.getValue().toString());
    assertEquals(7L, response.request().connection().remoteSettings().getMaxConcurrentStreams(), "ingest.http2MaxConcurrentStreams");
    assertTrue(RawKafka.readAll(gw.topic).stream().anyMatch(r -> "tls-h2-1".equals(RawKafka.headers(r).get("event-id"))));
    h2.close();
  }

  @Test
  void anHttp2StreamWhoseBodyStopsArrivingIsResetAndTheConnectionServesOn() {
    io.vertx.core.http.HttpClient h2 = http2();
    HttpClientRequest stalled = Poll.await(h2.request(produceRequest().putHeader("content-length", "1000")));
    io.vertx.core.Promise<Throwable> reset = io.vertx.core.Promise.promise();
    stalled.exceptionHandler(reset::tryComplete);
    stalled.response().onComplete(ar -> reset.tryComplete(ar.cause()));
    stalled.write(Buffer.buffer("{\"records\":["));
    Throwable why = Poll.await(reset.future(), Duration.ofSeconds(10));
    assertTrue(why instanceof StreamResetException, "the stream is reset after ingest.requestBodyTimeoutMs: " + why);
    Buffer body = new JsonObject().put("records", new JsonArray().add(TestGateway.order("tls-h2-2", "c", "s", 1, 1.0, 1))).toBuffer();
    HttpClientResponse next = Poll.await(h2.request(produceRequest()).compose(req -> req.send(body)));
    assertEquals(200, next.statusCode(), "other streams of the connection are served");
    assertEquals(stalled.connection(), next.request().connection(), "on the same connection");
    h2.close();
  }

  @Test
  void plaintextAndOldProtocolsGetNothing() {
    assertThrows(AssertionError.class, () -> Poll.await(WebClient.create(gw.vertx()).post(gw.httpPort, "127.0.0.1", "/topics/" + gw.topic)
      .sendBuffer(Buffer.buffer("{}")), Duration.ofSeconds(10)), "plaintext HTTP on the TLS port");
    assertThrows(AssertionError.class, () -> Poll.await(post(https(true, Set.of("TLSv1.1")), "tls-3"), Duration.ofSeconds(10)), "TLS 1.1");
  }

  @Test
  void newCertificateFilesAreServedWithoutARestart() throws Exception {
    assertEquals("CN=gateway-one", servedSubject());
    Path[] rotated = certs.leaf("rotated", "gateway-two", true);
    Files.copy(rotated[1], served[1], java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    Files.copy(rotated[0], served[0], java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    Poll.until("the new certificate served", Duration.ofSeconds(15), TlsIT::servedSubject, "CN=gateway-two"::equals);
    assertEquals(200, Poll.await(post(https(true, Set.of("TLSv1.3")), "tls-4")).statusCode(), "served after the rotation");
  }

  @Test
  void theTcpBridgeSpeaksTlsToo() throws Exception {
    Path[] server = certs.leaf("bridge", "gateway-bridge", true);
    try (TestGateway bridged = TestGateway.create()) {
      Path principals = Files.createTempFile("bridge-principals", ".json");
      Files.writeString(principals, new JsonObject().put("principals", new JsonArray().add(new JsonObject().put("name", "order-service")
        .put("permissions", new JsonArray().add("produce:" + bridged.topic)))).encode());
      JsonObject config = bridged.config(new JsonObject()
        .put("auth", new JsonObject().put("enabled", true).put("principalsFile", principals.toString())));
      config.getJsonObject("bridge").put("tls", new JsonObject().put("certFile", server[0].toString()).put("keyFile", server[1].toString())
        .put("clientAuth", "request").put("trustFile", certs.ca().toString()));
      bridged.startResolved(config);
      JsonObject publish = new JsonObject().put("type", "send").put("address", "gateway.ingest.publish").put("replyAddress", "r1")
        .put("body", new JsonObject().put("topic", bridged.topic).put("records", new JsonArray().add(TestGateway.order("tls-b-1", "c", "s", 1, 1.0, 1))));
      try (SSLSocket s = (SSLSocket) tlsContext(false).getSocketFactory().createSocket("127.0.0.1", bridged.bridgePort)) {
        s.setSoTimeout(10_000);
        assertEquals("pong", BridgeFrame.exchange(s, new JsonObject().put("type", "ping")).getString("type"));
        assertEquals("CN=gateway-bridge", ((X509Certificate) s.getSession().getPeerCertificates()[0]).getSubjectX500Principal().getName());
        JsonObject anonymous = BridgeFrame.exchange(s, publish);
        assertEquals("err", anonymous.getString("type"), "no certificate and no key: " + anonymous.encode());
        assertTrue(anonymous.getString("message", anonymous.encode()).contains("unauthorized"), anonymous.encode());
      }
      try (SSLSocket s = (SSLSocket) tlsContext(true).getSocketFactory().createSocket("127.0.0.1", bridged.bridgePort)) {
        s.setSoTimeout(10_000);
        JsonObject served = BridgeFrame.exchange(s, publish);
        assertTrue(served.getJsonObject("body", new JsonObject()).containsKey("offsets"), "the certificate's principal, no key: " + served.encode());
      }
      try (Socket plain = new Socket("127.0.0.1", bridged.bridgePort)) {
        plain.setSoTimeout(10_000);
        BridgeFrame.write(plain, new JsonObject().put("type", "ping"));
        int first = plain.getInputStream().read();
        assertTrue(first == -1 || first == 0x15, "a plaintext client gets no pong, only the close or a TLS alert: " + first);
      } catch (java.net.SocketException reset) {
        // refused by a reset: no pong either
      }
    }
  }

  private static SSLContext trustingTheCa() throws Exception {
    return tlsContext(false);
  }

  /** A JDK TLS client trusting the test CA, presenting the order-service certificate when {@code withCertificate}. */
  private static SSLContext tlsContext(boolean withCertificate) throws Exception {
    CertificateFactory x509 = CertificateFactory.getInstance("X.509");
    KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
    trust.load(null, null);
    try (InputStream in = Files.newInputStream(certs.ca())) {
      trust.setCertificateEntry("ca", x509.generateCertificate(in));
    }
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    javax.net.ssl.KeyManager[] keys = null;
    if (withCertificate) {
      String pem = Files.readString(client[1]).replaceAll("-----[A-Z ]+-----|\\s", "");
      java.security.PrivateKey key = java.security.KeyFactory.getInstance("RSA")
        .generatePrivate(new java.security.spec.PKCS8EncodedKeySpec(java.util.Base64.getDecoder().decode(pem)));
      KeyStore identity = KeyStore.getInstance("PKCS12");
      identity.load(null, null);
      try (InputStream in = Files.newInputStream(client[0])) {
        identity.setKeyEntry("client", key, new char[0], x509.generateCertificates(in).toArray(new java.security.cert.Certificate[0]));
      }
      javax.net.ssl.KeyManagerFactory kmf = javax.net.ssl.KeyManagerFactory.getInstance(javax.net.ssl.KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(identity, new char[0]);
      keys = kmf.getKeyManagers();
    }
    SSLContext tls = SSLContext.getInstance("TLS");
    tls.init(keys, tmf.getTrustManagers(), null);
    return tls;
  }

  /** The subject of the certificate a new TLS connection is shown. */
  private static String servedSubject() {
    try {
      try (Socket plain = new Socket("127.0.0.1", gw.httpPort);
           SSLSocket s = (SSLSocket) trustingTheCa().getSocketFactory().createSocket(plain, "127.0.0.1", gw.httpPort, true)) {
        s.setSoTimeout(5_000);
        s.startHandshake();
        return ((X509Certificate) s.getSession().getPeerCertificates()[0]).getSubjectX500Principal().getName();
      }
    } catch (Exception e) {
      return "failed: " + e;
    }
  }
}

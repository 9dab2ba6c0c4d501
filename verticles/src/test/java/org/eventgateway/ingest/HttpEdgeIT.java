package org.eventgateway.ingest;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import io.vertx.ext.web.client.HttpResponse;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Property;
import org.eventgateway.support.Poll;
import org.eventgateway.support.TestGateway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The HTTP edge's explicit limits, each against the client it is for. */
class HttpEdgeIT {
  private TestGateway gw;
  private Vertx vertx;
  private NetClient net;

  @BeforeEach
  void start() {
    gw = TestGateway.create().start(new JsonObject().put("ingest", new JsonObject()
      .put("requestHeaderTimeoutMs", 1500).put("requestBodyTimeoutMs", 2000).put("idleTimeoutSeconds", 30)
      .put("maxHeaderSize", 2048).put("maxInitialLineLength", 1024)
      .put("ws", new JsonObject().put("maxConnections", 2))));
    vertx = gw.vertx();
    net = vertx.createNetClient();
  }

  @AfterEach
  void stop() {
    Poll.await(net.close());
    gw.close();
  }

  private double metric(String line) {
    return gw.get("/metrics").bodyAsString().lines().filter(l -> l.startsWith(line))
      .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
  }

  /** Sends raw bytes and collects whatever comes back; {@code closed} counts server closes. */
  private NetSocket raw(String bytes, StringBuilder received, AtomicInteger closed) {
    NetSocket s = Poll.await(net.connect(gw.httpPort, "127.0.0.1"));
    s.handler(b -> {
      synchronized (received) {
        received.append(b.toString());
      }
    });
    s.closeHandler(v -> closed.incrementAndGet());
    s.write(bytes);
    return s;
  }

  @Test
  void slowClientsAreCutOffWhileANormalRequestIsAnswered() {
    int slow = 300;
    AtomicInteger closed = new AtomicInteger();
    List<NetSocket> sockets = new ArrayList<>();
    StringBuilder ignored = new StringBuilder();
    for (int i = 0; i < slow; i++) {
      sockets.add(raw("GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: ", ignored, closed));
    }
    // One slow body too: headers complete, then the body a byte at a time.
    sockets.add(raw("POST /topics/" + gw.topic + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{",
      ignored, closed));
    long drip = vertx.setPeriodic(200, t -> sockets.forEach(s -> s.write("a")));
    try {
      long t0 = System.nanoTime();
      HttpResponse<Buffer> health = gw.get("/health");
      assertEquals(200, health.statusCode());
      assertTrue(System.nanoTime() - t0 < 5_000_000_000L, "a normal request is answered while " + slow + " clients trickle");
      Poll.until("every trickling client cut off", Duration.ofSeconds(30), closed::get, n -> n == slow + 1);
    } finally {
      vertx.cancelTimer(drip);
    }
    assertTrue(metric("gateway_ingest_rejected_total{reason=\"header_timeout\"") >= slow, "counted");
    assertTrue(metric("gateway_ingest_rejected_total{reason=\"body_timeout\"") >= 1, "the slow body counted");
    assertEquals(200, gw.get("/health").statusCode(), "and the server still answers");
  }

  @Test
  void oversizedHeadersAndRequestLinesAreRefused() {
    StringBuilder headers = new StringBuilder();
    StringBuilder line = new StringBuilder();
    AtomicInteger closed = new AtomicInteger();
    raw("GET /health HTTP/1.1\r\nHost: x\r\n" + "X-Pad: " + "p".repeat(100) + "\r\n".repeat(1) + ("X-More: " + "m".repeat(100) + "\r\n").repeat(25)
      + "\r\n", headers, closed);
    raw("GET /health?" + "q".repeat(2000) + " HTTP/1.1\r\nHost: x\r\n\r\n", line, closed);
    Poll.until("both answered", Duration.ofSeconds(20), () -> headers.length() > 0 && line.length() > 0, done -> done);
    assertTrue(headers.toString().startsWith("HTTP/1.1 431"), "headers over ingest.maxHeaderSize: " + headers);
    assertTrue(line.toString().matches("(?s)HTTP/1\\.[01] 414.*"), "request line over ingest.maxInitialLineLength: " + line);
    StringBuilder fine = new StringBuilder();
    raw("GET /health HTTP/1.1\r\nHost: x\r\n" + ("X-More: " + "m".repeat(100) + "\r\n").repeat(10) + "\r\n", fine, closed);
    Poll.until("answered", Duration.ofSeconds(20), () -> fine.toString(), s -> s.contains("\r\n\r\n"));
    assertTrue(fine.toString().startsWith("HTTP/1.1 200"), fine.toString());
  }

  @Test
  void webSocketIngestConnectionsAreCappedWith503AndRetryAfter() {
    WebSocketClient client = vertx.createWebSocketClient();
    try {
      io.vertx.core.http.WebSocket first = Poll.await(client.connect(gw.httpPort, "127.0.0.1", "/ws/ingest"));
      Poll.await(client.connect(gw.httpPort, "127.0.0.1", "/ws/ingest"));
      Throwable refused = assertThrows(Throwable.class, () -> Poll.await(client.connect(gw.httpPort, "127.0.0.1", "/ws/ingest")));
      while (refused.getCause() != null && !(refused instanceof UpgradeRejectedException)) {
        refused = refused.getCause();
      }
      UpgradeRejectedException rejected = assertInstanceOf(UpgradeRejectedException.class, refused);
      assertEquals(503, rejected.getStatus());
      assertTrue(rejected.getHeaders().contains("Retry-After"), "Retry-After is set");
      assertTrue(rejected.getBody().toString().contains("ingest.ws.maxConnections=2"), rejected.getBody().toString());
      Poll.await(first.close());
      Poll.until("a freed slot is usable again", Duration.ofSeconds(20), () -> {
        try {
          Poll.await(client.connect(gw.httpPort, "127.0.0.1", "/ws/ingest"));
          return true;
        } catch (RuntimeException notYet) {
          return false;
        }
      }, ok -> ok);
    } finally {
      Poll.await(client.close());
    }
  }

  @Test
  void jsonOverItsLimitsIsA4xxWithTheLimitOnRestAndWebSocket() {
    String deep = "{\"a\":".repeat(100) + "1" + "}".repeat(100);
    HttpResponse<Buffer> rest = gw.post("/topics/" + gw.topic, "application/json", Buffer.buffer("{\"records\":[{\"value\":" + deep + "}]}"));
    assertEquals(422, rest.statusCode(), rest.bodyAsString());
    assertTrue(rest.bodyAsJsonObject().getString("message").contains("ingest.json.maxNestingDepth=64"), rest.bodyAsString());
    HttpResponse<Buffer> number = gw.post("/topics/" + gw.topic, "application/json",
      Buffer.buffer("{\"records\":[{\"value\":{\"n\":" + "7".repeat(500) + "}}]}"));
    assertEquals(422, number.statusCode(), number.bodyAsString());
    assertTrue(number.bodyAsJsonObject().getString("message").contains("ingest.json.maxNumberLength=100"), number.bodyAsString());

    WebSocketClient client = vertx.createWebSocketClient();
    List<JsonObject> answers = new CopyOnWriteArrayList<>();
    try {
      ClientWebSocket ws = client.webSocket();
      ws.textMessageHandler(t -> answers.add(new JsonObject(t)));
      Poll.await(ws.connect(gw.httpPort, "127.0.0.1", "/ws/ingest"));
      ws.writeTextMessage("{\"topic\":\"" + gw.topic + "\",\"ref\":1,\"records\":[{\"value\":" + deep + "}]}");
      JsonObject answer = Poll.until("an error frame", Duration.ofSeconds(20),
        () -> answers.stream().filter(a -> a.containsKey("error_code")).findFirst().orElse(null), a -> a != null);
      assertEquals(422, answer.getInteger("error_code"), answer.encode());
      assertTrue(answer.getString("message").contains("maxNestingDepth"), answer.encode());
      assertTrue(!ws.isClosed(), "the connection stays usable");
    } finally {
      Poll.await(client.close());
    }
    assertEquals(0, gw.totalEnd(gw.topic), "nothing produced");
  }

  @Test
  void clientsHangingUpMidBodyAreNotLoggedAsErrors() {
    List<String> errors = new CopyOnWriteArrayList<>();
    LoggerContext context = (LoggerContext) LogManager.getContext(false);
    AbstractAppender capture = new AbstractAppender("edge-capture", null, null, true, Property.EMPTY_ARRAY) {
      @Override
      public void append(LogEvent event) {
        if (event.getLevel().isMoreSpecificThan(Level.ERROR)) {
          errors.add(event.getLoggerName() + ": " + event.getMessage().getFormattedMessage());
        }
      }
    };
    capture.start();
    context.getConfiguration().getRootLogger().addAppender(capture, Level.ALL, null);
    context.getConfiguration().getLoggerConfig("org.eventgateway").addAppender(capture, Level.ALL, null);
    context.updateLoggers();
    try {
      int clients = 50;
      AtomicInteger closed = new AtomicInteger();
      for (int i = 0; i < clients; i++) {
        NetSocket s = raw("POST /topics/" + gw.topic + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n"
          + "{\"records\":[{\"value\":{\"pad\":\"" + "x".repeat(5000), new StringBuilder(), closed);
        Poll.await(s.close());
      }
      Poll.until("every hang-up seen by the gateway", Duration.ofSeconds(30),
        () -> metric("gateway_ingest_rejected_total{reason=\"client_closed\""), n -> n >= clients);
      assertEquals(200, gw.postRecords(gw.topic, new io.vertx.core.json.JsonArray()
        .add(TestGateway.order("after", "c", "s", 1, 1.0, 0))).statusCode(), "the gateway goes on serving");
      assertEquals(List.of(), errors, "no ERROR for a client that went away");
    } finally {
      context.getConfiguration().getRootLogger().removeAppender("edge-capture");
      context.getConfiguration().getLoggerConfig("org.eventgateway").removeAppender("edge-capture");
      context.updateLoggers();
    }
  }

  /** Log events at ERROR, from every logger, while {@code body} runs. */
  private List<String> errorsDuring(Runnable body) {
    List<String> errors = new CopyOnWriteArrayList<>();
    LoggerContext context = (LoggerContext) LogManager.getContext(false);
    AbstractAppender capture = new AbstractAppender("edge-errors", null, null, true, Property.EMPTY_ARRAY) {
      @Override
      public void append(LogEvent event) {
        if (event.getLevel().isMoreSpecificThan(Level.ERROR)) {
          errors.add(event.getLoggerName() + ": " + event.getMessage().getFormattedMessage());
        }
      }
    };
    capture.start();
    List<org.apache.logging.log4j.core.config.LoggerConfig> configs = new ArrayList<>(context.getConfiguration().getLoggers().values());
    configs.add(context.getConfiguration().getRootLogger());
    configs.forEach(c -> c.addAppender(capture, Level.ALL, null));
    context.updateLoggers();
    try {
      body.run();
    } finally {
      configs.forEach(c -> c.removeAppender("edge-errors"));
      context.updateLoggers();
    }
    return errors;
  }

  private String answerTo(String request) {
    StringBuilder received = new StringBuilder();
    AtomicInteger closed = new AtomicInteger();
    raw(request, received, closed);
    Poll.until("answered or closed: " + request.lines().findFirst().orElse(""), Duration.ofSeconds(20), () -> {
      synchronized (received) {
        return received.toString().contains("\r\n\r\n") || closed.get() > 0;
      }
    }, done -> done);
    synchronized (received) {
      return received.toString();
    }
  }

  @Test
  void malformedRequestsAre400sAndNoErrorIsLogged() {
    List<String> errors = errorsDuring(() -> {
      for (String size : new String[] {"ffffffffffffffff", "zz"}) {
        String answer = answerTo("POST /topics/" + gw.topic + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
          + "Transfer-Encoding: chunked\r\n\r\n" + size + "\r\n{}\r\n0\r\n\r\n");
        assertTrue(answer.isEmpty() || answer.startsWith("HTTP/1.1 400"), "chunk size " + size + ": " + answer);
      }
      for (String path : new String[] {"/%ZZ", "/topics/%", "/topics/a%4/keys", "/eventbus/%zz"}) {
        String answer = answerTo("GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n");
        assertTrue(answer.startsWith("HTTP/1.1 400"), path + ": " + answer);
        assertTrue(answer.contains("\"error_code\":400") && answer.contains("percent-escape"), path + ": " + answer);
      }
      assertEquals(200, gw.get("/health").statusCode(), "a well-formed request is still answered");
      // What vertx-web's SockJS bridge logs for every client that leaves without a close frame.
      io.vertx.core.internal.logging.LoggerFactory.getLogger(io.vertx.ext.web.handler.sockjs.impl.EventBusBridgeImpl.class)
        .error("SockJSSocket exception", new io.vertx.core.http.HttpClosedException("Connection was closed"));
    });
    assertEquals(List.of(), errors, "client errors are not logged as ERROR");
    List<String> kept = errorsDuring(() -> io.vertx.core.internal.logging.LoggerFactory
      .getLogger(io.vertx.ext.web.handler.sockjs.impl.EventBusBridgeImpl.class).error("something else"));
    assertTrue(!kept.isEmpty(), "the bridge's other errors are still logged");
    assertEquals(0, gw.totalEnd(gw.topic), "nothing produced");
  }

  @Test
  void bodiesAreUtf8Only() {
    String ok = "{\"records\":[{\"id\":\"e-1\",\"value\":{\"a\":1}}]}";
    HttpResponse<Buffer> utf16 = gw.post("/topics/" + gw.topic, "application/json; charset=utf-16",
      Buffer.buffer(ok.getBytes(java.nio.charset.StandardCharsets.UTF_16)));
    assertEquals(415, utf16.statusCode(), utf16.bodyAsString());
    assertTrue(utf16.bodyAsJsonObject().getString("message").contains("charset 'utf-16'"), utf16.bodyAsString());
    HttpResponse<Buffer> noCharset = gw.post("/topics/" + gw.topic, "application/json",
      Buffer.buffer(ok.getBytes(java.nio.charset.StandardCharsets.UTF_16)));
    assertEquals(400, noCharset.statusCode(), noCharset.bodyAsString());
    byte[] overlong = ok.replace("e-1", "e-@").getBytes(java.nio.charset.StandardCharsets.UTF_8);
    int at = ok.indexOf("e-1") + 2;
    byte[] bad = new byte[overlong.length + 1];
    System.arraycopy(overlong, 0, bad, 0, at);
    bad[at] = (byte) 0xc0;
    bad[at + 1] = (byte) 0xaf;
    System.arraycopy(overlong, at + 1, bad, at + 2, overlong.length - at - 1);
    HttpResponse<Buffer> invalid = gw.post("/topics/" + gw.topic, "application/json", Buffer.buffer(bad));
    assertEquals(400, invalid.statusCode(), invalid.bodyAsString());
    assertTrue(invalid.bodyAsJsonObject().getString("message").contains("byte offset " + at), invalid.bodyAsString());
    assertEquals(0, gw.totalEnd(gw.topic), "nothing produced");
    HttpResponse<Buffer> utf8 = gw.post("/topics/" + gw.topic, "application/json; charset=\"UTF-8\"", Buffer.buffer(ok));
    assertEquals(200, utf8.statusCode(), utf8.bodyAsString());
  }
}

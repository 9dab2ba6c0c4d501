package org.eventgateway.ingest;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Property;
import org.eventgateway.support.Poll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a failed route answers: a 4xx keeps its reason, a fault answers a reference and logs the details. */
class RouteFailureTest {
  private static final String SECRET = "password=hunter2 at db.internal:5432";
  private Vertx vertx;
  private HttpServer server;
  private WebClient client;
  private final List<String> logged = new CopyOnWriteArrayList<>();
  private AbstractAppender capture;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    Router router = Router.router(vertx);
    router.get("/fault").handler(ctx -> {
      throw new IllegalStateException(SECRET);
    });
    router.get("/refused").handler(ctx -> ctx.fail(409, new IllegalStateException("the task is already running")));
    router.route().failureHandler(new RouteFailure(new IngestConfig("127.0.0.1", 0, 1024, 10, false, 1000, 1000))::handle);
    server = Poll.await(vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1"));
    client = WebClient.create(vertx);
    LoggerContext context = (LoggerContext) LogManager.getContext(false);
    capture = new AbstractAppender("route-failure-capture", null, null, true, Property.EMPTY_ARRAY) {
      @Override
      public void append(LogEvent event) {
        String thrown = event.getThrown() == null ? "" : " " + event.getThrown().getMessage();
        logged.add(event.getMessage().getFormattedMessage() + thrown);
      }
    };
    capture.start();
    context.getConfiguration().getLoggerConfig("org.eventgateway").addAppender(capture, Level.ALL, null);
    context.updateLoggers();
  }

  @AfterEach
  void stop() {
    LoggerContext context = (LoggerContext) LogManager.getContext(false);
    context.getConfiguration().getLoggerConfig("org.eventgateway").removeAppender("route-failure-capture");
    context.updateLoggers();
    Poll.await(vertx.close());
  }

  @Test
  void aFaultAnswersAReferenceNotTheExceptionsMessage() {
    HttpResponse<io.vertx.core.buffer.Buffer> answer = Poll.await(client.get(server.actualPort(), "127.0.0.1", "/fault").send());
    assertEquals(500, answer.statusCode());
    JsonObject body = answer.bodyAsJsonObject();
    String message = body.getString("message");
    assertFalse(answer.bodyAsString().contains("hunter2"), "the exception's text stays out of the answer: " + message);
    String reference = message.substring(message.lastIndexOf(' ') + 1);
    assertEquals(36, reference.length(), "a reference the operator can grep for: " + message);
    assertTrue(logged.stream().anyMatch(line -> line.contains(reference) && line.contains(SECRET)),
      "the log has the details under the same reference: " + logged);
  }

  @Test
  void aRefusalKeepsItsStatusAndReason() {
    HttpResponse<io.vertx.core.buffer.Buffer> answer = Poll.await(client.get(server.actualPort(), "127.0.0.1", "/refused").send());
    assertEquals(409, answer.statusCode());
    assertEquals("the task is already running", answer.bodyAsJsonObject().getString("message"));
  }
}

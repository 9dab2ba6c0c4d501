package org.eventgateway.support;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.parsetools.RecordParser;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A raw Server-Sent Events reader over a Vert.x HttpClient, as a non-browser client would write one: blocks split on
 * a blank line, {@code id:} and {@code data:} fields read, comments counted. It can stop after a number of events
 * (and hang up, remembering the last id it accepted) or stop reading altogether ({@link #pause()}).
 */
public final class SseClient {
  /** One event; {@code data} is null for a block that only moves the position. */
  public record Event(String id, JsonObject data) {}

  public final int status;
  /** The answer's body when it was not a stream (an error), else null. */
  public final JsonObject error;
  public final String retryAfter;
  public final String contentType;
  /** Events with data, in arrival order. */
  public final List<Event> events = new CopyOnWriteArrayList<>();
  public final AtomicInteger comments = new AtomicInteger();
  /** The last id received on any block (what an EventSource would send as Last-Event-ID). */
  public volatile String lastId;
  public volatile boolean closed;
  private final HttpClientResponse response;
  private RecordParser parser;
  private final int stopAfter;

  private SseClient(HttpClientResponse response, JsonObject error, int stopAfter) {
    this.response = response;
    this.status = response.statusCode();
    this.error = error;
    this.retryAfter = response.getHeader("Retry-After");
    this.contentType = response.getHeader("Content-Type");
    this.stopAfter = stopAfter;
  }

  /** GETs {@code path}; a 200 is read as a stream (hanging up after {@code stopAfter} events, 0: never), else its JSON body is kept. */
  public static Future<SseClient> open(HttpClient client, int port, String path, Map<String, String> headers, int stopAfter) {
    return open(client, port, path, headers, stopAfter, false);
  }

  /** {@code paused}: read nothing at all, from the first byte on (a client that stopped reading). */
  public static Future<SseClient> open(HttpClient client, int port, String path, Map<String, String> headers, int stopAfter, boolean paused) {
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(port).setURI(path);
    headers.forEach(options::putHeader);
    // Nested, not chained after the request's future: chained, the body handler was set one hop late and a short
    // error answer was read as empty (2 in 900 refusals).
    return client.request(options).compose(req -> req.send().compose(resp -> {
      if (resp.statusCode() != 200) {
        return resp.body().map(body -> new SseClient(resp, body.length() == 0 ? null : body.toJsonObject(), stopAfter));
      }
      SseClient sse = new SseClient(resp, null, stopAfter);
      sse.read();
      if (paused) {
        sse.pause();
      }
      return Future.succeededFuture(sse);
    }));
  }

  private void read() {
    response.exceptionHandler(err -> closed = true);
    response.endHandler(v -> closed = true);
    response.request().connection().closeHandler(v -> closed = true);
    parser = RecordParser.newDelimited("\n\n", response);
    parser.handler(this::block);
  }

  private void block(Buffer block) {
    if (stopAfter > 0 && events.size() >= stopAfter) {
      return; // hung up: whatever else was in the last chunk is not ours
    }
    String id = null;
    String data = null;
    for (String line : block.toString().split("\n")) {
      if (line.startsWith(":")) {
        comments.incrementAndGet();
      } else if (line.startsWith("id: ")) {
        id = line.substring(4);
      } else if (line.startsWith("data: ")) {
        data = line.substring(6);
      }
    }
    if (id != null) {
      lastId = id;
    }
    if (data != null) {
      events.add(new Event(id, new JsonObject(data)));
      if (stopAfter > 0 && events.size() >= stopAfter) {
        hangUp();
      }
    }
  }

  /** Stops reading: the socket's buffers fill and the gateway must stop writing. */
  public void pause() {
    parser.pause();
    response.pause(); // a RecordParser's pause holds its records back, not the socket's bytes
  }

  public void hangUp() {
    response.request().connection().close();
  }

  /** Events with data whose {@code data.id} is set, by event id. */
  public List<JsonObject> data() {
    return events.stream().map(Event::data).toList();
  }
}

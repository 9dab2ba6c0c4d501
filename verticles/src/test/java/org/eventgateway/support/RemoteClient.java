package org.eventgateway.support;

import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A test client of {@code /ws/groups/{group}}: applies each delivered event to a shared {@link Effect} (idempotent
 * by event id, as a real remote handler must be), then answers as {@code answer} says — ack, nack, or hold (never
 * answer, to leave events unacked). Keeps every frame it got.
 */
public final class RemoteClient {
  /** What a client does with one event. */
  public enum Answer { ACK, HOLD, NACK_DEAD, NACK_RETRY }

  /**
   * The clients' side effect: the first application of each event id, and a check that per key the
   * first applications come in increasing sequence (the {@code seq} of the order's value).
   */
  public static final class Effect {
    private final Map<String, String> appliedBy = new HashMap<>();
    private final Map<String, Integer> lastSeq = new HashMap<>();
    private final List<String> orderViolations = new ArrayList<>();
    private int deliveries;

    synchronized boolean apply(String client, JsonObject event) {
      deliveries++;
      String id = event.getString("id");
      if (appliedBy.containsKey(id)) {
        return false; // a redelivery: the effect is done already
      }
      appliedBy.put(id, client);
      String key = event.getString("key");
      Integer seq = event.getJsonObject("value").getInteger("seq");
      Integer last = lastSeq.put(key, seq);
      if (last != null && seq <= last) {
        orderViolations.add(key + ": " + seq + " after " + last);
      }
      return true;
    }

    public synchronized Set<String> ids() {
      return new HashSet<>(appliedBy.keySet());
    }

    public synchronized List<String> orderViolations() {
      return new ArrayList<>(orderViolations);
    }

    public synchronized int deliveries() {
      return deliveries;
    }
  }

  private final String name;
  private final Effect effect;
  private final Function<JsonObject, Answer> answer;
  private final ClientWebSocket ws;
  public final List<JsonObject> frames = new CopyOnWriteArrayList<>();
  public final List<JsonObject> errors = new CopyOnWriteArrayList<>();
  public final AtomicInteger received = new AtomicInteger();
  public final AtomicInteger held = new AtomicInteger();
  public final AtomicInteger closeCode = new AtomicInteger();

  public RemoteClient(WebSocketClient client, String name, Effect effect, Function<JsonObject, Answer> answer) {
    this.name = name;
    this.effect = effect;
    this.answer = answer;
    this.ws = client.webSocket();
  }

  /** Connects, then asks for {@code credit}; fails as the upgrade failed. */
  public RemoteClient connect(int port, String group, int credit) {
    ws.textMessageHandler(text -> onFrame(new JsonObject(text)));
    ws.closeHandler(v -> closeCode.set(ws.closeStatusCode() == null ? -1 : ws.closeStatusCode()));
    Poll.await(ws.connect(new WebSocketConnectOptions().setPort(port).setHost("127.0.0.1").setURI("/ws/groups/" + group)));
    if (credit > 0) {
      send(new JsonObject().put("credit", credit));
    }
    return this;
  }

  public void send(JsonObject frame) {
    ws.writeTextMessage(frame.encode());
  }

  public void sendText(String text) {
    ws.writeTextMessage(text);
  }

  public void close() {
    Poll.await(ws.close());
  }

  public ClientWebSocket socket() {
    return ws;
  }

  private void onFrame(JsonObject frame) {
    frames.add(frame);
    if (frame.containsKey("error_code")) {
      errors.add(frame);
      return;
    }
    JsonArray events = frame.getJsonArray("events");
    if (events == null) {
      return;
    }
    JsonArray acks = new JsonArray();
    for (int i = 0; i < events.size(); i++) {
      JsonObject event = events.getJsonObject(i);
      received.incrementAndGet();
      Answer a = answer.apply(event);
      switch (a) {
        case ACK -> {
          effect.apply(name, event);
          acks.add(event.getString("id"));
        }
        case HOLD -> {
          effect.apply(name, event); // done, but the ack never leaves: it must be redelivered elsewhere, and deduplicated
          held.incrementAndGet();
        }
        case NACK_DEAD, NACK_RETRY -> send(new JsonObject().put("nack", new JsonObject().put("id", event.getString("id"))
          .put("reason", "refused by " + name + ": sku retired").put("retry", a == Answer.NACK_RETRY)));
      }
    }
    if (!acks.isEmpty()) {
      send(new JsonObject().put("ack", acks));
    }
  }
}

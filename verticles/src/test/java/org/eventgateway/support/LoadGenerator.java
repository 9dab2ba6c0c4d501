package org.eventgateway.support;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Posts N orders with known ids at a fixed rate (open loop: a tick sends what is due, whatever the
 * answers so far), a few records per request, and remembers which ids the gateway acknowledged
 * with a 2xx slot. Failures (connection refused while the gateway is down, 503s) are counted, not
 * retried: an unacknowledged id may or may not be applied, an acknowledged one must be, once.
 */
public final class LoadGenerator {
  public static final class Order {
    public final String id;
    public final String customer;
    public final String sku;
    public final int qty;
    public final double amount;

    Order(int n) {
      id = "L-" + n;
      customer = "c-" + n % 37;
      sku = "sku-" + (n % 13 + 1);
      qty = 1 + n % 3;
      amount = (n % 7 + 1) * 1.5;
    }

    JsonObject record() {
      return new JsonObject().put("key", customer).put("id", id).put("value", new JsonObject()
        .put("order_id", id).put("customer", customer).put("sku", sku).put("qty", qty).put("amount", amount));
    }
  }

  private final Vertx vertx;
  private final WebClient client;
  private final Map<String, Order> sent = new ConcurrentHashMap<>();
  private final Set<String> acked = ConcurrentHashMap.newKeySet();
  private final AtomicInteger failedRequests = new AtomicInteger();
  private final Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
  private final AtomicInteger withRetryAfter = new AtomicInteger();
  private final AtomicInteger inFlight = new AtomicInteger();
  private volatile boolean stopped;

  public LoadGenerator(Vertx vertx) {
    this.vertx = vertx;
    this.client = WebClient.create(vertx, new WebClientOptions().setConnectTimeout(1000).setIdleTimeout(10));
  }

  /** Sends {@code total} orders, {@code perRequest} per POST, {@code requestsPerSecond} POSTs a second. */
  public Future<Void> run(int port, String topic, int total, int perRequest, int requestsPerSecond) {
    return run(List.of(port), topic, total, perRequest, requestsPerSecond);
  }

  /** The same, the POSTs taking the gateways' ports in turn (a fleet behind a round-robin balancer). */
  public Future<Void> run(List<Integer> ports, String topic, int total, int perRequest, int requestsPerSecond) {
    Promise<Void> done = Promise.promise();
    AtomicInteger next = new AtomicInteger();
    long start = System.nanoTime();
    AtomicInteger requestsSent = new AtomicInteger();
    vertx.setPeriodic(20, timer -> {
      long due = (System.nanoTime() - start) * requestsPerSecond / 1_000_000_000L + 1;
      while (!stopped && requestsSent.get() < due && next.get() < total && inFlight.get() < 64) {
        requestsSent.incrementAndGet();
        JsonArray records = new JsonArray();
        for (int i = 0; i < perRequest && next.get() < total; i++) {
          Order order = new Order(next.getAndIncrement());
          sent.put(order.id, order);
          records.add(order.record());
        }
        post(ports.get((requestsSent.get() - 1) % ports.size()), topic, records);
      }
      if ((stopped || next.get() >= total) && inFlight.get() == 0) {
        vertx.cancelTimer(timer);
        done.tryComplete();
      }
    });
    return done.future();
  }

  private void post(int port, String topic, JsonArray records) {
    inFlight.incrementAndGet();
    client.post(port, "127.0.0.1", "/topics/" + topic).timeout(30_000)
      .sendJsonObject(new JsonObject().put("records", records))
      .onComplete(ar -> {
        inFlight.decrementAndGet();
        if (ar.succeeded()) {
          statuses.computeIfAbsent(ar.result().statusCode(), k -> new AtomicInteger()).incrementAndGet();
          if (ar.result().getHeader("Retry-After") != null) {
            withRetryAfter.incrementAndGet();
          }
        }
        if (ar.succeeded() && ar.result().statusCode() == 200) {
          JsonArray offsets = ar.result().bodyAsJsonObject().getJsonArray("offsets");
          for (int i = 0; i < offsets.size(); i++) {
            JsonObject slot = offsets.getJsonObject(i);
            if (!slot.containsKey("error_code")) {
              acked.add(slot.getString("id"));
            }
          }
        } else {
          failedRequests.incrementAndGet();
        }
      });
  }

  /** Sends nothing more: the run's future completes once the requests in flight are answered. */
  public void stop() {
    stopped = true;
  }

  public Map<String, Order> sent() {
    return sent;
  }

  public Set<String> acked() {
    return acked;
  }

  /** Responses by HTTP status (connection failures are not in it). */
  public int responses(int status) {
    AtomicInteger n = statuses.get(status);
    return n == null ? 0 : n.get();
  }

  public int withRetryAfter() {
    return withRetryAfter.get();
  }

  public int failedRequests() {
    return failedRequests.get();
  }

  public void close() {
    client.close();
  }
}

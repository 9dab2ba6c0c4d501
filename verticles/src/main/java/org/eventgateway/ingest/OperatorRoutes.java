package org.eventgateway.ingest;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import org.eventgateway.contract.Addresses;

import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The operator API over HTTP: dead letters ({@code GET /dlq/{group}?from=&limit=},
 * {@code POST /dlq/{group}/redrive}, {@code GET /dlq/{group}/tasks/{id}}) and replay (shadow and apply)
 * ({@code POST /groups/{group}/replay}, {@code GET /groups/{group}/replay/{id}}). The work is the
 * dlq and replay verticles', reached over the event bus.
 */
final class OperatorRoutes {
  private static final DeliveryOptions TIMEOUT = new DeliveryOptions().setSendTimeout(30_000);
  /** An apply replay answers after its rewind, which waits for the group's batch in flight. */
  private static final DeliveryOptions REPLAY_TIMEOUT = new DeliveryOptions().setSendTimeout(90_000);

  private OperatorRoutes() {}

  static void mount(Vertx vertx, Router router, AccessGate gate) {
    Future<OperatorInput> redrive = OperatorInput.load(vertx, OperatorInput.REDRIVE);
    Future<OperatorInput> replay = OperatorInput.load(vertx, OperatorInput.REPLAY);
    router.get("/dlq/:group").handler(gate.require("dlq.read", "group")).handler(ctx -> {
      JsonObject ask = new JsonObject().put("group", ctx.pathParam("group"));
      try {
        ask.put("from", parseLong(ctx, "from", 0)).put("limit", (int) Math.min(parseLong(ctx, "limit", 100), Integer.MAX_VALUE));
      } catch (RequestException e) {
        IngestVerticle.error(ctx, e.status(), e.getMessage());
        return;
      }
      forward(vertx, ctx, Addresses.DLQ_BROWSE, ask, 200);
    });
    // Permission and Content-Type are checked before the body is read (vertx-web wants the BodyHandler first on its own route).
    router.post("/dlq/:group/redrive").handler(gate.require("dlq.redrive", "group")).handler(AccessGate::requireJson);
    router.post("/dlq/:group/redrive").handler(BodyHandler.create(false).setBodyLimit(1024 * 1024)).handler(ctx ->
      forwardBody(vertx, gate, ctx, Addresses.DLQ_REDRIVE, TIMEOUT, redrive, body -> "dlq.redrive", body -> {},
        "{\"all\":true} or {\"offsets\":[…]} or {\"ids\":[…]}, optional \"dryRun\""));
    router.post("/groups/:group/replay").handler(gate.requireAny("group", "replay", "replay.apply")).handler(AccessGate::requireJson);
    router.post("/groups/:group/replay").handler(BodyHandler.create(false).setBodyLimit(64 * 1024)).handler(ctx ->
      // Moving a group's positions is the most dangerous thing an operator can do: its own permission.
      forwardBody(vertx, gate, ctx, Addresses.REPLAY_START, REPLAY_TIMEOUT, replay,
        request -> "apply".equals(request.getValue("mode")) ? "replay.apply" : "replay", OperatorInput::checkReplayRange,
        "{\"mode\":\"shadow\",\"from\":{…},\"to\":{…}} or {\"mode\":\"apply\",\"from\":{…},\"pauseGroup\":true}"));
    router.get("/groups/:group/replay/:id").handler(gate.requireAny("group", "replay", "replay.apply")).handler(ctx -> forward(vertx, ctx, Addresses.REPLAY_STATUS,
      new JsonObject().put("group", ctx.pathParam("group")).put("id", ctx.pathParam("id")), 200));
    router.get("/dlq/:group/tasks/:id").handler(gate.requireAny("group", "dlq.read", "dlq.redrive")).handler(ctx -> forward(vertx, ctx, Addresses.DLQ_TASK,
      new JsonObject().put("group", ctx.pathParam("group")).put("id", ctx.pathParam("id")), 200));
    router.get("/audit").handler(gate.require("audit.read", null)).handler(ctx -> {
      JsonObject ask = new JsonObject();
      try {
        ask.put("from", parseLong(ctx, "from", 0)).put("limit", parseLong(ctx, "limit", 100));
      } catch (RequestException e) {
        IngestVerticle.error(ctx, e.status(), e.getMessage());
        return;
      }
      forward(vertx, ctx, Addresses.AUDIT_QUERY, ask, 200);
    });
  }

  /**
   * A JSON object body (empty means {}) whose action ({@code actionOf}) the principal may take on the path's group
   * (checked before anything else is said about the body), valid against its schema and {@code check}, tagged with
   * the group, answered 202 by its verticle: 400 when it is not JSON, 422 naming the field otherwise. Every answer
   * after the permission check is an operator action, recorded in the audit trail with its outcome.
   */
  private static void forwardBody(Vertx vertx, AccessGate gate, RoutingContext ctx, String address, DeliveryOptions timeout,
                                  Future<OperatorInput> schema, Function<JsonObject, String> actionOf, Consumer<JsonObject> check,
                                  String expected) {
    String group = ctx.pathParam("group");
    Object parsed;
    try {
      String body = ctx.body().asString();
      parsed = body == null || body.isBlank() ? new JsonObject() : Json.decodeValue(body);
    } catch (RuntimeException e) {
      IngestVerticle.error(ctx, 400, "malformed JSON: expected " + expected);
      return;
    }
    if (!(parsed instanceof JsonObject request)) {
      IngestVerticle.error(ctx, 422, "field '(body)': must be a JSON object: " + expected);
      return;
    }
    String action = actionOf.apply(request);
    if (!gate.admit(ctx, action, group)) {
      return;
    }
    String summary = request.encode();
    schema.onComplete(loaded -> {
      if (loaded.failed()) {
        IngestVerticle.error(ctx, 503, "operator schema not loaded: " + loaded.cause().getMessage());
        return;
      }
      try {
        loaded.result().validate(request);
        check.accept(request);
      } catch (RequestException e) {
        gate.audit(ctx, action, group, summary, "refused: " + e.getMessage(), e.status());
        IngestVerticle.error(ctx, e.status(), e.getMessage());
        return;
      }
      vertx.eventBus().<JsonObject>request(address, request.put("group", group), timeout)
        .onSuccess(reply -> {
          gate.audit(ctx, action, group, summary, "accepted: " + reply.body().encode(), 202);
          IngestVerticle.json(ctx, 202, reply.body());
        })
        .onFailure(err -> {
          gate.audit(ctx, action, group, summary, "refused: " + ErrorReply.messageOf(err), ErrorReply.statusOf(err));
          IngestVerticle.error(ctx, ErrorReply.statusOf(err), ErrorReply.messageOf(err));
        });
    });
  }

  private static void forward(Vertx vertx, RoutingContext ctx, String address, JsonObject body, int status) {
    forward(vertx, ctx, address, body, status, TIMEOUT);
  }

  private static void forward(Vertx vertx, RoutingContext ctx, String address, JsonObject body, int status, DeliveryOptions timeout) {
    vertx.eventBus().<JsonObject>request(address, body, timeout)
      .onSuccess(reply -> IngestVerticle.json(ctx, status, reply.body()))
      .onFailure(err -> IngestVerticle.error(ctx, ErrorReply.statusOf(err), ErrorReply.messageOf(err)));
  }

  private static long parseLong(RoutingContext ctx, String name, long fallback) {
    String value = ctx.queryParams().get(name);
    if (value == null || value.isBlank()) {
      return fallback;
    }
    try {
      long parsed = Long.parseLong(value.trim());
      if (parsed < 0) {
        throw new NumberFormatException();
      }
      return parsed;
    } catch (NumberFormatException e) {
      throw new RequestException(400, "query parameter '" + name + "' must be a non-negative integer");
    }
  }
}

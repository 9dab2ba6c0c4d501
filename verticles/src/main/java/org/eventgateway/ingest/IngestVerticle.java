package org.eventgateway.ingest;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.StaticHandler;
import org.eventgateway.auth.Principal;
import org.eventgateway.auth.Quotas;
import org.eventgateway.schema.TopicSchemas;
import org.eventgateway.tls.TlsFiles;
import org.eventgateway.contract.Addresses;
import org.eventgateway.contract.BusHandlers;
import org.eventgateway.contract.EventHeaders;
import org.eventgateway.config.GatewayConfig;
import org.eventgateway.metrics.GatewayMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;

/**
 * HTTP ingestion. Consumes: {@code POST /topics/{topic}} requests. Emits: one
 * {@link Addresses#PRODUCE_SEND} request per HTTP request, answered to the client only after the
 * broker acknowledged (or refused) every record. Also /health, /ready, /metrics and the page.
 */
public class IngestVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(IngestVerticle.class);
  /** Per-event trace lines (DEBUG): enable logger org.eventgateway.trace to follow one event. */
  static final Logger TRACE = LoggerFactory.getLogger("org.eventgateway.trace");
  static final String KAFKA_JSON_V2 = "application/vnd.kafka.json.v2+json";
  private static final String JSON = "application/json";

  private IngestConfig config;
  private HttpServer server;
  private boolean draining;
  private LagBudgets lagBudgets;
  private PublishPath publishPath;
  private WsIngest wsIngest;
  private WsGroups wsGroups;
  private AccessGate gate;
  private TlsFiles tlsFiles;
  private HttpEdge edge;
  private org.eventgateway.stream.EventStreams streams;
  private final SchemaCheck schemaCheck = new SchemaCheck();
  private static final String SHARED = "gateway.ingest";
  private static final String BUS_OWNER = "busPublishOwner";
  private final String instanceId = java.util.UUID.randomUUID().toString();

  private final GatewayConfig gatewayConfig;

  public IngestVerticle(GatewayConfig config) {
    this.gatewayConfig = config;
  }

  @Override
  public Future<?> start() {
    config = IngestConfig.from(gatewayConfig);
    lagBudgets = new LagBudgets(gatewayConfig);
    if (!lagBudgets.isEmpty()) {
      vertx.eventBus().<JsonObject>localConsumer(Addresses.LAG_UPDATES, m -> lagBudgets.onSample(m.body()));
    }
    // A bus publish (a SockJS client's, say) reaches every consumer of its address: with one per
    // ingest instance it would produce its records once per instance. One instance takes the address,
    // and it also reports the principals file's key changes to the audit trail.
    boolean owner = vertx.sharedData().<String, String>getLocalMap(SHARED).putIfAbsent(BUS_OWNER, instanceId) == null;
    gate = new AccessGate(vertx, gatewayConfig.auth(), owner);
    Router router = Router.router(vertx);
    router.route().handler(ctx -> {
      if (draining) {
        error(ctx, 503, "the gateway is shutting down; retry on another instance or shortly");
      } else {
        ctx.next();
      }
    });
    router.route().handler(gate::identify);
    router.get("/health").handler(ctx -> json(ctx, 200, new JsonObject().put("status", "up")));
    router.get("/ready").handler(this::ready);
    router.get("/metrics").handler(gate.metrics());
    router.get("/metrics").handler(new MetricsPage(vertx)::handle);
    router.post("/auth/ticket").handler(gate::ticket);
    // Content type is checked before the body is read (a separate route: vertx-web wants the
    // BodyHandler first on its own route).
    router.post("/topics/:topic").handler(gate.require("produce", "topic")).handler(this::checkContentType);
    router.post("/topics/:topic")
      .handler(BodyHandler.create(false).setBodyLimit(config.maxBodyBytes()))
      .handler(this::produce);
    router.get("/topics/:topic/keys").handler(gate.require("keys.read", "topic")).handler(this::keys);
    streams = StreamRoutes.mount(vertx, router, gate, config.topics(), gatewayConfig);
    router.route("/topics/:topic").handler(ctx ->
      error(ctx, 405, ctx.request().method() + " is not supported on /topics/{topic}; use POST"));
    OperatorRoutes.mount(vertx, router, gate);
    SchemaRoutes.mount(router, gate, schemaCheck);
    SockJsBridge.mount(vertx, router, gate);
    Quotas quotas = vertx.sharedData().<String, Quotas>getLocalMap(SHARED + ".quotas")
      .computeIfAbsent("quotas", k -> new Quotas(gatewayConfig.auth().quotas(), System::nanoTime));
    publishPath = new PublishPath(vertx, config, lagBudgets, quotas, schemaCheck);
    if (owner) {
      vertx.eventBus().<JsonObject>consumer(Addresses.INGEST_PUBLISH, BusHandlers.guarded(Addresses.INGEST_PUBLISH, this::publishFromBus));
    }
    wsIngest = new WsIngest(vertx, config, publishPath);
    wsIngest.mount(router, gate);
    wsGroups = new WsGroups(vertx, gatewayConfig.groups(), gatewayConfig.remote());
    wsGroups.mount(router, gate);
    LagRoutes.mount(vertx, router, gatewayConfig.lag(), gate);
    router.route("/*").handler(StaticHandler.create("webroot"));
    router.route().last().handler(ctx -> error(ctx, 404, "no such endpoint: " + ctx.request().path()));
    router.route().failureHandler(new RouteFailure(config)::handle);

    tlsFiles = new TlsFiles(vertx, gatewayConfig.ingest().tls());
    edge = new HttpEdge(vertx, config.edge());
    return gate.start().compose(v -> TopicSchemas.load(vertx, gatewayConfig.topics())).onSuccess(schemaCheck::use)
      .compose(v -> tlsFiles.configure(HttpEdge.options(config))).compose(options -> {
      server = vertx.createHttpServer(options.isSsl() ? HttpEdge.withHttp2(options, config.edge()) : options);
      server.requestHandler(edge.install(server, router));
      return server.listen().recover(err -> Future.failedFuture("cannot listen on " + config.host() + ":" + config.port()
        + " (" + err.getMessage() + ") — set GATEWAY_HTTP_PORT to a free port"));
    })
      .onSuccess(s -> tlsFiles.watch(s::updateSSLOptions))
      .onSuccess(s -> LOG.info("Ingest listening on {}:{}{}", config.host(), s.actualPort(),
        gatewayConfig.ingest().tls().enabled() ? " (HTTPS)" : ""));
  }

  /** The port actually bound (differs from the config when it asks for port 0). */
  public int actualPort() {
    return server.actualPort();
  }

  @Override
  public Future<?> stop() {
    // Stop accepting, answer 503 to requests still arriving on open connections, let in-flight
    // requests get their answers, then close.
    draining = true;
    if (gate != null) {
      gate.stop();
    }
    if (tlsFiles != null) {
      tlsFiles.stop();
    }
    if (edge != null) {
      edge.stop();
    }
    vertx.sharedData().<String, String>getLocalMap(SHARED).removeIfPresent(BUS_OWNER, instanceId);
    // The sockets' close handshakes and the server's grace run side by side, and the handshakes get
    // no longer than the grace: a client that never answers its close frame (it does not read) is
    // cut when the server closes, not after Vert.x's own closing timeout.
    Future<Void> sockets = Future.join(wsIngest == null ? Future.succeededFuture() : wsIngest.closeAll(),
      streams == null ? Future.succeededFuture() : streams.closeAll(),
      wsGroups == null ? Future.succeededFuture() : wsGroups.closeAll()).<Void>mapEmpty()
      .timeout(config.shutdownGraceMs(), TimeUnit.MILLISECONDS).otherwiseEmpty();
    Future<Void> served = server == null ? Future.succeededFuture() : server.shutdown(config.shutdownGraceMs(), TimeUnit.MILLISECONDS);
    return Future.join(sockets, served).eventually(() -> server == null ? Future.succeededFuture() : server.close());
  }

  /** Same topic rules as producing; the producer only looks the topic up, never creates it. */
  private void keys(RoutingContext ctx) {
    String topic = ctx.pathParam("topic");
    try {
      config.topics().check(topic);
    } catch (RequestException e) {
      error(ctx, e.status(), e.getMessage());
      return;
    }
    vertx.eventBus().<JsonObject>request(Addresses.PRODUCE_KEYS, new JsonObject().put("topic", topic), new DeliveryOptions().setSendTimeout(10_000))
      .onSuccess(reply -> json(ctx, 200, reply.body()))
      .onFailure(err -> error(ctx, ErrorReply.statusOf(err), ErrorReply.messageOf(err)));
  }

  private void checkContentType(RoutingContext ctx) {
    String type = ctx.request().getHeader(HttpHeaders.CONTENT_TYPE);
    String mime = type == null ? "" : type.split(";", 2)[0].trim().toLowerCase();
    if (!mime.equals(KAFKA_JSON_V2) && !mime.equals(JSON)) {
      error(ctx, 415, "unsupported Content-Type '" + (type == null ? "" : type) + "': use "
        + KAFKA_JSON_V2 + " or " + JSON);
      return;
    }
    String charset = charset(type);
    if (charset != null && !charset.equals("utf-8") && !charset.equals("utf8")) {
      error(ctx, 415, "unsupported charset '" + charset + "' in Content-Type '" + type + "': JSON is exchanged as UTF-8 (RFC 8259)");
      return;
    }
    ctx.next();
  }

  /** The charset parameter of a Content-Type, lower case and unquoted; null when there is none. */
  static String charset(String type) {
    String[] parts = type.split(";");
    for (int i = 1; i < parts.length; i++) {
      String[] kv = parts[i].split("=", 2);
      if (kv.length == 2 && kv[0].trim().equalsIgnoreCase("charset")) {
        return kv[1].trim().replace("\"", "").toLowerCase(java.util.Locale.ROOT);
      }
    }
    return null;
  }

  private void produce(RoutingContext ctx) {
    String topic = ctx.pathParam("topic");
    publishPath.publish(AccessGate.principal(ctx), () -> new Publish(ProduceRequest.parse(topic, ctx.body().buffer(), config),
      ctx.request().getHeader(EventHeaders.TRACEPARENT), null), new PublishPath.Replies<Void>() {
        @Override
        public Void invalid(RequestException e) {
          GatewayMetrics.ingestRejected(ErrorReply.reason(e.status()));
          json(ctx, e.status(), e.body());
          return null;
        }

        @Override
        public Void overBudget(Publish publish, LagBudgets.Over over) {
          GatewayMetrics.ingestRejected("lag_budget");
          return tooMany(over);
        }

        @Override
        public Void overQuota(Publish publish, LagBudgets.Over over) {
          GatewayMetrics.ingestRejected("quota");
          return tooMany(over);
        }

        private Void tooMany(LagBudgets.Over over) {
          ctx.response().putHeader("Retry-After", String.valueOf(over.retryAfterSeconds()));
          json(ctx, 429, ErrorReply.body(429, over.reason()));
          return null;
        }

        @Override
        public void sending(Publish publish, String traceparent, LagBudgets.Over warning) {
          if (warning != null) {
            ctx.response().putHeader("X-Lag-Budget-Exceeded", warning.reason());
          }
          ctx.response().putHeader(EventHeaders.TRACEPARENT, traceparent);
        }

        @Override
        public Void produced(Publish publish, JsonObject reply) {
          json(ctx, 200, reply);
          return null;
        }

        @Override
        public Void failed(Publish publish, Throwable err) {
          error(ctx, ErrorReply.statusOf(err), ErrorReply.messageOf(err));
          return null;
        }
      });
  }

  /** Events from the bridges: the REST validation and the same answer, over the bus. */
  private void publishFromBus(io.vertx.core.eventbus.Message<JsonObject> message) {
    JsonObject body = message.body();
    // The bridges checked the sender's produce permission and named it; a sender inside the process is trusted.
    String sender = message.headers().get(org.eventgateway.auth.BridgeGuard.PRINCIPAL_HEADER);
    Principal who = new Principal(sender == null ? Principal.ANONYMOUS.name() : sender, org.eventgateway.auth.Permissions.ALL);
    publishPath.publish(who, () -> BusRequest.parse(body, config), new PublishPath.Replies<Void>() {
      @Override
      public Void invalid(RequestException e) {
        message.fail(e.status(), e.getMessage());
        return null;
      }

      @Override
      public Void overBudget(Publish publish, LagBudgets.Over over) {
        message.fail(429, over.reason());
        return null;
      }

      @Override
      public Void produced(Publish publish, JsonObject reply) {
        message.reply(reply);
        return null;
      }

      @Override
      public Void failed(Publish publish, Throwable err) {
        message.fail(ErrorReply.statusOf(err), ErrorReply.messageOf(err));
        return null;
      }
    });
  }

  private void ready(RoutingContext ctx) {
    DeliveryOptions quick = new DeliveryOptions().setSendTimeout(5000);
    Future<JsonObject> kafka = vertx.eventBus().<JsonObject>request(Addresses.PRODUCE_READY, null, quick).map(m -> m.body());
    Future<JsonObject> postgres = vertx.eventBus().<JsonObject>request(Addresses.APPLY_READY, null, quick).map(m -> m.body());
    // Why a backend is down can name hosts and users: only for a caller who identified itself.
    boolean detail = AccessGate.principal(ctx) != null;
    Future.join(kafka, postgres).onComplete(ar -> {
      JsonObject status = new JsonObject()
        .put("kafka", kafka.succeeded() ? "up" : detail ? "down: " + ErrorReply.messageOf(kafka.cause()) : "down")
        .put("postgres", postgres.succeeded() ? "up" : detail ? "down: " + ErrorReply.messageOf(postgres.cause()) : "down");
      if (ar.succeeded()) {
        json(ctx, 200, status.put("status", "ready"));
      } else {
        json(ctx, 503, ErrorReply.body(503, "not ready").mergeIn(status));
      }
    });
  }

  static void error(RoutingContext ctx, int status, String message) {
    GatewayMetrics.ingestRejected(ErrorReply.reason(status));
    if ((status == 503 || status == 429) && !ctx.response().headWritten()) {
      ctx.response().putHeader("Retry-After", "1");
    }
    json(ctx, status, ErrorReply.body(status, message));
  }

  static void json(RoutingContext ctx, int status, JsonObject body) {
    if (ctx.response().ended()) {
      return;
    }
    ctx.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, JSON).end(body.toBuffer());
  }
}

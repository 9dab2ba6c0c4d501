package org.eventgateway.bench;

import io.vertx.core.Future;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;

import javax.net.ssl.SSLSession;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Closed-loop HTTP load on POST /topics/{topic}: a fixed number of requests outstanding, each
 * connection sending its next request when the answer to the last arrives. Each request carries the
 * credential the gateway asks for ({@link GatewayProcess#credential}). Against a gateway serving HTTPS
 * ({@link GatewayProcess#tls}) it speaks HTTPS, trusting the bench's CA and verifying the server's name. A load
 * made with {@link #connectedFirst} opens its connections before the clock starts (handshakes apart, tallied by
 * {@link #setup}), and may speak HTTP/2 (ALPN h2), the outstanding requests multiplexed over as few connections as
 * the gateway's stream limit allows.
 */
final class ClosedLoop {
  private final BenchContext context;
  /** 0 for HTTP/1.1: one request outstanding per connection; else HTTP/2 with this many streams per connection. */
  private final int streamsPerConnection;
  /** Whether each run opens its connections (a GET /ready on each) before the clock starts. */
  private final boolean connectFirst;
  /** What the records' values hold: the produce stages' {"n", "pad"}, or orders ({@link #ofOrders}). */
  private final BodyTemplate.Values values;
  /** Requests not answered 200, over every run of this load (warm-up included). */
  private long failedRequests;
  /** The untimed connection set-up of the measured runs of a {@link #connectedFirst} load. */
  private final Setup setup = new Setup();
  /** Each answered request's latency (send to answer, ns) over the measured runs of this load; warm-up runs are left out. */
  private final Latencies latencies = new Latencies();

  ClosedLoop(BenchContext context) {
    this(context, 0, false, BodyTemplate.Values.PLAIN);
  }

  private ClosedLoop(BenchContext context, int streamsPerConnection, boolean connectFirst, BodyTemplate.Values values) {
    this.context = context;
    this.streamsPerConnection = streamsPerConnection;
    this.connectFirst = connectFirst;
    this.values = values;
  }

  /** A load like {@link #ClosedLoop(BenchContext)} whose values are orders ({@link BodyTemplate.Values#ORDERS}), pad included. */
  static ClosedLoop ofOrders(BenchContext context) {
    return new ClosedLoop(context, 0, false, BodyTemplate.Values.ORDERS);
  }

  /** A load like {@link #ClosedLoop(BenchContext)} in the v2 format alone ({@link BodyTemplate.Values#V2}): what --peer sends both sides. */
  static ClosedLoop ofV2(BenchContext context) {
    return new ClosedLoop(context, 0, false, BodyTemplate.Values.V2);
  }

  /**
   * A load whose runs open their connections before the clock starts, so a rate is what the connections carry
   * once open (as a keep-alive client's would), not the handshakes; HTTP/1.1 when {@code streamsPerConnection}
   * is 0, else HTTP/2 over HTTPS (ALPN) with up to that many requests at once on a connection.
   */
  static ClosedLoop connectedFirst(BenchContext context, int streamsPerConnection) {
    return new ClosedLoop(context, Math.max(0, streamsPerConnection), true, BodyTemplate.Values.PLAIN);
  }

  /** Connections opened before the measured runs' clocks started, and the CPU and wall time that took. */
  static final class Setup {
    long connections;
    long gatewayNanos;
    long benchNanos;
    long wallNanos;
    int runs;
  }

  Setup setup() {
    return setup;
  }

  /** Connections that carry {@code concurrency} outstanding requests: as many, or fewer with HTTP/2. */
  int connections(int concurrency) {
    return streamsPerConnection == 0 ? concurrency : (concurrency + streamsPerConnection - 1) / streamsPerConnection;
  }

  /** Sends {@code records} records, {@code perRequest} a request, over {@code concurrency} connections; returns records/s (requests/s at 1 a request). */
  double run(String topic, int records, int size, int perRequest, int concurrency) {
    HttpClient client = context.vertx.createHttpClient(clientOptions(context.gateway()),
      new PoolOptions().setHttp1MaxSize(concurrency).setHttp2MaxSize(connections(concurrency)));
    LoopSender sender = new LoopSender(new BodyTemplate(context.nextIdPrefix(topic), perRequest, size, values), records, perRequest,
      concurrency);
    LoopSender.Lane lane = sender.lane(client, post(context.gateway(), topic, BodyTemplate.contentType(values)),
      context.repetitions.warmingUp() ? null : latencies);
    if (connectFirst) {
      openConnections(client, concurrency);
    }
    BenchContext.CpuMark mark = context.cpuMark();
    long start = System.nanoTime();
    sender.start(lane, concurrency);
    Waits.await(sender.done());
    double seconds = (System.nanoTime() - start) / 1e9;
    context.countCpu(topic, records, mark, true);
    client.close();
    context.acknowledged(topic, (long) records - (long) lane.failed() * perRequest);
    failedRequests += lane.failed();
    if (lane.failed() > 0) {
      context.notes().add(lane.failed() + " failed requests in the " + topic + " run");
    }
    return records / seconds;
  }

  /**
   * {@code concurrency} GET /ready at once, so the pool opens as many connections as the run will use (fewer with
   * HTTP/2) and keeps them for it; a measured run's set-up is added to {@link #setup}.
   */
  private void openConnections(HttpClient client, int concurrency) {
    BenchContext.CpuMark mark = context.cpuMark();
    long start = System.nanoTime();
    Set<Integer> localPorts = ConcurrentHashMap.newKeySet();
    List<Future<Integer>> answers = new ArrayList<>();
    for (int c = 0; c < concurrency; c++) {
      // Nested: the body handler is set as the response arrives, before its bytes can be dropped.
      answers.add(client.request(ready(context.gateway())).compose(req -> req.send().compose(resp -> {
        localPorts.add(resp.request().connection().localAddress().port());
        return resp.body().map(body -> resp.statusCode());
      })));
    }
    Waits.await(Future.all(answers));
    if (!context.repetitions.warmingUp()) {
      setup.wallNanos += System.nanoTime() - start;
      setup.gatewayNanos += CpuClock.of(context.gateway()).since(mark.gateway()).total();
      setup.benchNanos += CpuClock.self() - mark.self();
      setup.connections += localPorts.size();
      setup.runs++;
    }
  }

  /** A GET /ready of this gateway, with the headers of the credential it asks for. */
  private static RequestOptions ready(GatewayProcess gateway) {
    RequestOptions get = new RequestOptions().setMethod(HttpMethod.GET).setHost(gateway.host()).setPort(gateway.port())
      .setURI(gateway.path("/ready"));
    gateway.credential().headers().forEach(get::putHeader);
    return get;
  }

  /** Keep-alive; HTTPS trusting the bench's CA against a gateway that serves it; HTTP/2 through ALPN for a load made so. */
  private HttpClientOptions clientOptions(GatewayProcess gateway) {
    HttpClientOptions options = new HttpClientOptions().setKeepAlive(true);
    if (gateway.tls() != null) {
      gateway.tls().client(options);
    } else if (gateway.scheme().equals("https")) { // a peer's https: the JVM's default trust, its name verified
      options.setSsl(true).setVerifyHost(true);
    }
    if (streamsPerConnection > 0) {
      if (gateway.tls() == null) {
        throw new IllegalStateException("the bench speaks HTTP/2 over HTTPS only; the gateway on " + gateway.port() + " serves plaintext");
      }
      options.setProtocolVersion(HttpVersion.HTTP_2).setUseAlpn(true);
    }
    return options;
  }

  /**
   * What this load's client and the current gateway agree on, from one GET /ready: e.g. "TLSv1.3
   * TLS_AES_256_GCM_SHA384, HTTP_1_1", or "plaintext, HTTP_1_1". The server's certificate is verified on the way.
   */
  String negotiated() {
    GatewayProcess gateway = context.gateway();
    HttpClient client = context.vertx.createHttpClient(clientOptions(gateway));
    try {
      return Waits.await(client.request(ready(gateway)).compose(req -> req.send().compose(resp -> resp.body().map(body -> {
        SSLSession session = resp.request().connection().sslSession();
        return (session == null ? "plaintext" : session.getProtocol() + " " + session.getCipherSuite()) + ", " + resp.version();
      }))), Duration.ofSeconds(10));
    } finally {
      client.close();
    }
  }

  /**
   * The closed loop's request latencies (ns, from the request's send to its answer) over its measured runs: with a
   * fixed number outstanding, what a client with that many requests in flight waits, not an open loop's schedule.
   */
  Latencies latencies() {
    return latencies;
  }

  /** Requests of this load's runs so far that were not answered 200 (a refused credential among them). */
  long failedRequests() {
    return failedRequests;
  }

  /** A POST of JSON records to a topic of this gateway, with the headers of the credential it asks for. */
  static RequestOptions post(GatewayProcess gateway, String topic) {
    return post(gateway, topic, "application/json");
  }

  /** As above, with this Content-Type (the v2 format's for a peer's loads); a peer's base path before /topics. */
  static RequestOptions post(GatewayProcess gateway, String topic, String contentType) {
    RequestOptions post = new RequestOptions().setMethod(HttpMethod.POST).setHost(gateway.host()).setPort(gateway.port())
      .setURI(gateway.path("/topics/" + topic)).putHeader("content-type", contentType);
    gateway.credential().headers().forEach(post::putHeader);
    return post;
  }
}

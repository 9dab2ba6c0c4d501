package org.eventgateway.bench;

import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

/**
 * --peer URL: the produce stages' closed loops against the gateway and against a peer, another HTTP service taking
 * the v2 JSON produce format at {@code POST {URL}/topics/{t}} (a Strimzi bridge, a Confluent REST proxy) that the
 * user runs; no peer code is in the repository. Both sides get the same bodies, records of key and value alone as
 * {@code application/vnd.kafka.json.v2+json} (the gateway makes their ids), from the same load generator; their
 * measured runs alternate in a balanced order ({@link Interleaved}), and the row gives the ratio gateway / peer with
 * the range over the back-to-back pairs. The peer writes to the topics peer-single, peer-1k and peer-100, which the
 * bench creates on its own broker: a peer pointed at it (--kafka-port) has its records counted against its
 * acknowledgements like the gateway's; one on another broker is noted as not checked. The bench does not see the
 * peer's process, so the CPU table has no peer column.
 */
final class PeerComparison {
  static final List<String> TOPICS = List.of("peer-single", "peer-1k", "peer-100");
  /** How long the peer may take to answer its first v2 request 200. */
  private static final Duration READY_WITHIN = Duration.ofSeconds(60);

  private final BenchContext context;
  private final GatewayProcess peer;

  private PeerComparison(BenchContext context, GatewayProcess peer) {
    this.context = context;
    this.peer = peer;
  }

  /** The comparison of this run, after checking that the peer takes a v2 produce request; null without --peer. */
  static PeerComparison of(BenchContext context) throws Exception {
    URI base = context.options.peerUri;
    if (base == null) {
      return null;
    }
    context.environment.createTopics(TOPICS);
    PeerComparison comparison = new PeerComparison(context, GatewayProcess.peer(base));
    comparison.check();
    return comparison;
  }

  /**
   * One v2 record must be answered 200 before anything is measured (a table of failures would say nothing); the peer
   * has {@link #READY_WITHIN} to answer so, e.g. while it connects to the run's broker.
   */
  private void check() {
    String path = "/topics/" + TOPICS.get(0);
    String record = "{\"records\":[{\"key\":\"c-000\",\"value\":{\"n\":0}}]}";
    long deadline = System.nanoTime() + READY_WITHIN.toNanos();
    int status = -1;
    while (status != 200 && System.nanoTime() < deadline) {
      status = peer.post(path, BodyTemplate.contentType(BodyTemplate.Values.V2), record).map(HttpResponse::statusCode).orElse(-1);
      if (status != 200) {
        Waits.pause(Duration.ofSeconds(1));
      }
    }
    if (status != 200) {
      throw new IllegalStateException("the peer at " + peer.baseUrl() + " answered " + (status == -1 ? "nothing within 3 s" : status)
        + " within " + READY_WITHIN.toSeconds() + " s to a v2 produce request of one record (POST " + peer.path(path) + "): it must take the v2 JSON format there, "
        + "and the topic must exist on its broker");
    }
    context.acknowledged(TOPICS.get(0), 1);
    context.notes().add("peer: " + peer.baseUrl() + " took a v2 produce request; the produce stages' closed loops ran against it and the "
      + "gateway with the same v2 bodies (key and value, no id), measured runs alternating in a balanced order");
  }

  /**
   * The workload against {@code gateway} and the peer, interleaved; adds the row gateway / peer and returns the
   * gateway's rates, which stand for the gateway in the stage's own row. {@code peerTopic} is one of {@link #TOPICS}.
   */
  Spread measure(ProduceStages.Workload workload, GatewayProcess gateway, String gatewayTopic, String peerTopic) throws Exception {
    List<Interleaved.Arm<String>> arms = List.of(new Interleaved.Arm<>("gateway", gateway, gatewayTopic, ClosedLoop.ofV2(context)),
      new Interleaved.Arm<>("peer", peer, peerTopic, ClosedLoop.ofV2(context)));
    try {
      Interleaved.measure(context, workload, arms);
    } finally {
      context.use(gateway);
    }
    Spread ours = new Spread(arms.get(0).rates());
    Spread theirs = new Spread(arms.get(1).rates());
    String unit = workload.perRequest() == 1 ? "req/s" : "rec/s";
    long failed = arms.get(0).load().failedRequests() + arms.get(1).load().failedRequests();
    String ratio = failed > 0 ? "not valid: " + failed + " requests failed (see the notes)"
      : ours.ratioTo(theirs) + " gateway / peer (back-to-back pairs " + Spread.pairRange(ours.values(), theirs.values()) + ")";
    context.report.row(workload.describe() + ", v2 bodies, the gateway against the peer " + peer.baseUrl(), "peer: " + theirs.format(unit),
      "gateway: " + ours.format(unit), ratio);
    return ours;
  }
}

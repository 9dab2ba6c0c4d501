package org.eventgateway.bench;

import io.vertx.core.Promise;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * WebSocket ingestion at /ws/ingest: each connection sends frames of {@code perFrame} records
 * while its credit allows (the server grants 1000 records per connection and returns them with
 * each answer), so it runs as fast as acks come back. Every answer must carry offsets for all the
 * frame's records; latency is per frame, from its send to its answer (answers come in order).
 */
final class WebSocketLoad {
  private final BenchContext context;
  /** Frame ack latency of the last measured run, in ns. */
  private Latencies lastAcks = new Latencies();

  WebSocketLoad(BenchContext context) {
    this.context = context;
  }

  /** Frame ack latencies of the last measured (not warm-up) run: {p50, p99} in ns. */
  long[] lastP50P99() {
    return new long[] {lastAcks.at(50), lastAcks.at(99)};
  }

  /** Sends {@code records} 1 KB records (rounded up to whole frames); returns records/s. */
  double run(String topic, int records, int perFrame, int connections) {
    WebSocketClient client = context.vertx.createWebSocketClient();
    Run run = new Run(topic, new BodyTemplate(context.nextIdPrefix(topic), perFrame, 1024), (records + perFrame - 1) / perFrame, perFrame);
    BenchContext.CpuMark mark = context.cpuMark();
    long start = System.nanoTime();
    for (int c = 0; c < connections; c++) {
      run.connect(client.webSocket(), context.gateway().port());
    }
    Waits.await(run.done.future(), Duration.ofMinutes(5));
    double seconds = (System.nanoTime() - start) / 1e9;
    int total = run.frames * perFrame;
    context.countCpu(topic, total, mark, true);
    client.close();
    context.acknowledged(topic, (long) total - (long) run.refused.get() * perFrame);
    if (run.refused.get() > 0) {
      context.notes().add(run.refused.get() + " WebSocket frames refused or partly failed in the " + topic + " run");
    }
    if (!context.repetitions.warmingUp()) {
      Latencies acks = new Latencies();
      acks.recordAll(run.latencies, 0, Math.min(run.latencyCount.get(), run.latencies.length));
      lastAcks = acks;
    }
    return total / seconds;
  }

  /** One run over all its connections: the frames' shared position and the answers' latencies. */
  private static final class Run {
    private final String topic;
    private final BodyTemplate template;
    private final int frames;
    private final int perFrame;
    private final AtomicInteger next = new AtomicInteger();
    private final AtomicInteger answeredRecords = new AtomicInteger();
    private final AtomicInteger refused = new AtomicInteger();
    private final long[] latencies;
    private final AtomicInteger latencyCount = new AtomicInteger();
    private final Promise<Void> done = Promise.promise();

    Run(String topic, BodyTemplate template, int frames, int perFrame) {
      this.topic = topic;
      this.template = template;
      this.frames = frames;
      this.perFrame = perFrame;
      this.latencies = new long[frames];
    }

    void connect(ClientWebSocket ws, int port) {
      // Touched only on this socket's event loop.
      ArrayDeque<Long> sentAt = new ArrayDeque<>();
      int[] credit = {0};
      Runnable sendWhileCredit = () -> {
        while (credit[0] >= perFrame) {
          int from = next.getAndAdd(perFrame);
          if (from >= frames * perFrame) {
            return;
          }
          credit[0] -= perFrame;
          String body = template.body(from).toString(StandardCharsets.US_ASCII);
          sentAt.add(System.nanoTime());
          ws.writeTextMessage("{\"topic\":\"" + topic + "\",\"ref\":" + from + "," + body.substring(1));
        }
      };
      ws.textMessageHandler(text -> {
        JsonObject frame = new JsonObject(text);
        if (frame.containsKey("credit")) {
          credit[0] += frame.getInteger("credit");
          sendWhileCredit.run();
          return;
        }
        answered(sentAt.poll(), frame.getJsonArray("offsets"));
      });
      ws.connect(port, "127.0.0.1", "/ws/ingest").onFailure(done::tryFail);
    }

    private void answered(Long sentAt, JsonArray offsets) {
      int slot = latencyCount.getAndIncrement();
      if (sentAt != null && slot < latencies.length) {
        latencies[slot] = System.nanoTime() - sentAt;
      }
      if (offsets == null || offsets.stream().anyMatch(o -> ((JsonObject) o).containsKey("error_code"))) {
        refused.incrementAndGet();
      }
      if (answeredRecords.addAndGet(sentAt == null ? 0 : perFrame) >= frames * perFrame) {
        done.tryComplete();
      }
    }
  }
}

package org.eventgateway.bench;

import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Closed-loop HTTP load on POST /topics/{topic}: a fixed number of requests outstanding, each
 * connection sending its next request when the answer to the last arrives. Each request carries the
 * credential the gateway asks for ({@link GatewayProcess#credential}).
 */
final class ClosedLoop {
  private final BenchContext context;
  /** Requests not answered 200, over every run of this load (warm-up included). */
  private long failedRequests;

  ClosedLoop(BenchContext context) {
    this.context = context;
  }

  /** Sends {@code records} records, {@code perRequest} a request, over {@code concurrency} connections; returns records/s (requests/s at 1 a request). */
  double run(String topic, int records, int size, int perRequest, int concurrency) {
    HttpClient client = context.vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true),
      new PoolOptions().setHttp1MaxSize(concurrency));
    Sender sender = new Sender(client, post(context.gateway(), topic),
      new BodyTemplate(context.nextIdPrefix(topic), perRequest, size), records, perRequest, concurrency);
    BenchContext.CpuMark mark = context.cpuMark();
    long start = System.nanoTime();
    for (int c = 0; c < concurrency; c++) {
      sender.next();
    }
    Waits.await(sender.done.future());
    double seconds = (System.nanoTime() - start) / 1e9;
    context.countCpu(topic, records, mark, true);
    client.close();
    context.acknowledged(topic, (long) records - (long) sender.failed.get() * perRequest);
    failedRequests += sender.failed.get();
    if (sender.failed.get() > 0) {
      context.notes().add(sender.failed.get() + " failed requests in the " + topic + " run");
    }
    return records / seconds;
  }

  /** Requests of this load's runs so far that were not answered 200 (a refused credential among them). */
  long failedRequests() {
    return failedRequests;
  }

  /** A POST of JSON records to a topic of this gateway, with the headers of the credential it asks for. */
  static RequestOptions post(GatewayProcess gateway, String topic) {
    RequestOptions post = new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(gateway.port())
      .setURI("/topics/" + topic).putHeader("content-type", "application/json");
    gateway.credential().headers().forEach(post::putHeader);
    return post;
  }

  /** The loops' shared position; each answer (or failure) sends the next request. */
  private static final class Sender {
    private final HttpClient client;
    private final RequestOptions post;
    private final BodyTemplate template;
    private final int records;
    private final int perRequest;
    private final AtomicInteger next = new AtomicInteger();
    private final AtomicInteger failed = new AtomicInteger();
    private final AtomicInteger running;
    private final Promise<Void> done = Promise.promise();

    Sender(HttpClient client, RequestOptions post, BodyTemplate template, int records, int perRequest, int loops) {
      this.client = client;
      this.post = post;
      this.template = template;
      this.records = records;
      this.perRequest = perRequest;
      this.running = new AtomicInteger(loops);
    }

    void next() {
      int from = next.getAndAdd(perRequest);
      if (from >= records) {
        if (running.decrementAndGet() == 0) {
          done.tryComplete();
        }
        return;
      }
      Buffer body = template.body(from);
      client.request(post).compose(req -> req.send(body)).compose(resp -> resp.body().map(b -> resp.statusCode()))
        .onComplete(ar -> {
          if (ar.failed() || ar.result() != 200) {
            failed.incrementAndGet();
          }
          next();
        });
    }
  }
}

package org.eventgateway;

import org.eventgateway.contract.Codecs;
import io.vertx.core.Deployable;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.vertx.core.Vertx;
import io.vertx.micrometer.backends.BackendRegistries;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;
import org.eventgateway.apply.ApplyVerticle;
import org.eventgateway.audit.AuditVerticle;
import org.eventgateway.config.GatewayConfig;
import org.eventgateway.consume.ConsumeVerticle;
import org.eventgateway.control.ControlVerticle;
import org.eventgateway.dlq.DlqVerticle;
import org.eventgateway.ingest.IngestVerticle;
import org.eventgateway.lag.LagVerticle;
import org.eventgateway.bridge.TcpBridgeVerticle;
import org.eventgateway.remote.RemoteGroupVerticle;
import org.eventgateway.replay.ReplayVerticle;
import org.eventgateway.produce.ProduceVerticle;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Deploys the verticles in dependency order — apply (schema), control (the fleet's commands and hot keys), produce
 * (topics), dlq (dead-letter topics), audit (the trail, written until ingest has stopped), remote (the remote groups' dispatchers), one consume per group, ingest (HTTP) last — and undeploys them in reverse, so shutdown stops taking requests
 * before it flushes the producer, and lets in-flight applies finish before PostgreSQL goes away.
 * This is the one shutdown path.
 */
public final class Gateway {
  private final Vertx vertx;
  private final List<String> deployments = new ArrayList<>();

  private Gateway(Vertx vertx) {
    this.vertx = vertx;
  }

  /**
   * A Vert.x with Micrometer metrics published in the Prometheus format (scraped at /metrics), plus
   * JVM memory, thread and class-loading meters (bound one by one: the blanket JVM option also
   * binds meters whose names promtool rejects, such as jvm_compilation_time_ms_total).
   */
  public static Vertx newVertx() {
    return newVertx(VertxOptions.DEFAULT_EVENT_LOOP_POOL_SIZE);
  }

  /** As {@link #newVertx()}, with {@link #eventLoops} event loops for this configuration. */
  public static Vertx newVertx(GatewayConfig config) {
    return newVertx(eventLoops(config));
  }

  /**
   * {@code eventLoops} if set, else one event loop per verticle instance {@link #deploy} starts, and at least Vert.x's
   * default (twice the cores). Instances take event loops in turn, so with fewer loops the busy ones shared: on 2
   * cores, 4 loops for 14 instances put the apply transactions' answers behind HTTP requests on the same thread, and
   * PostgreSQL waited for the gateway inside its transactions more than it worked (docs/performance.md).
   */
  public static int eventLoops(GatewayConfig config) {
    if (config.eventLoops() > 0) {
      return config.eventLoops();
    }
    int instances = plan(config).stream().mapToInt(Step::instances).sum();
    return Math.max(VertxOptions.DEFAULT_EVENT_LOOP_POOL_SIZE, instances);
  }

  private static Vertx newVertx(int eventLoops) {
    Vertx vertx = Vertx.builder()
      .with(new VertxOptions().setEventLoopPoolSize(eventLoops).setMetricsOptions(new MicrometerMetricsOptions()
        .setEnabled(true)
        .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true))))
      .withMetrics(new MicrometerMetricsFactory())
      .build();
    MeterRegistry registry = BackendRegistries.getDefaultNow();
    if (registry != null) {
      new JvmMemoryMetrics().bindTo(registry);
      new JvmThreadMetrics().bindTo(registry);
      new ClassLoaderMetrics().bindTo(registry);
      // JvmGcMetrics is left out: it holds GC listeners that need closing with the Vert.x instance.
    }
    return vertx;
  }

  /**
   * {@code config} must already hold the resolved endpoints (see GatewayConfig#withEndpoints).
   * {@code ingest.instances} event loops serve HTTP ingestion (one shared server);
   * {@code produce.instances} producers (one KafkaProducer each) share the produce address.
   */
  public static Future<Gateway> deploy(Vertx vertx, GatewayConfig config) {
    Codecs.register(vertx);
    org.eventgateway.ingest.JsonLimits.from(config.ingest().json()).install();
    Gateway gateway = new Gateway(vertx);
    Future<Void> chain = Future.succeededFuture();
    for (Step step : plan(config)) {
      chain = chain.compose(v -> gateway.add(step.instances(), step.verticle()));
    }
    return chain
      .map(gateway)
      .recover(err -> gateway.undeploy().transform(ignored -> Future.failedFuture(err)));
  }

  /** One deployment: how many instances of which verticle. */
  private record Step(int instances, Supplier<? extends Deployable> verticle) {
  }

  /** What {@link #deploy} starts, in order (the verticles are built only when deployed). */
  private static List<Step> plan(GatewayConfig config) {
    List<Step> steps = new ArrayList<>(List.of(
      new Step(1, () -> new ApplyVerticle(config)),
      new Step(1, () -> new ControlVerticle(config)),
      new Step(config.produce().instances(), () -> new ProduceVerticle(config)),
      new Step(1, () -> new DlqVerticle(config)),
      new Step(1, () -> new AuditVerticle(config)),
      // Before the consumers: a remote group's first batch finds its dispatcher.
      new Step(1, () -> new RemoteGroupVerticle(config))));
    for (String group : config.groupsToRun()) {
      steps.add(new Step(1, () -> new ConsumeVerticle(config, group)));
    }
    steps.add(new Step(1, () -> new LagVerticle(config)));
    steps.add(new Step(1, () -> new TcpBridgeVerticle(config)));
    steps.add(new Step(1, () -> new ReplayVerticle(config)));
    steps.add(new Step(config.ingest().instances(), () -> new IngestVerticle(config)));
    return steps;
  }

  private Future<Void> add(int instances, Supplier<? extends Deployable> verticle) {
    return vertx.deployVerticle(verticle, new DeploymentOptions().setInstances(instances)).map(id -> {
      deployments.add(id);
      return null;
    });
  }

  /** Reverse order, one at a time; a failing stop does not keep the others running. */
  public Future<Void> undeploy() {
    Future<Void> chain = Future.succeededFuture();
    for (int i = deployments.size() - 1; i >= 0; i--) {
      String id = deployments.get(i);
      chain = chain.eventually(() -> vertx.undeploy(id).otherwiseEmpty());
    }
    deployments.clear();
    return chain.mapEmpty();
  }
}

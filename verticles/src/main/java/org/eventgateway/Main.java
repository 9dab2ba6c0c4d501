package org.eventgateway;

import io.vertx.core.Vertx;
import org.eventgateway.auth.KeysCommand;
import org.eventgateway.config.ConfigException;
import org.eventgateway.config.ConfigLoader;
import org.eventgateway.config.ErrorText;
import org.eventgateway.config.GatewayConfig;
import org.eventgateway.infra.Infrastructure;
import org.apache.logging.log4j.LogManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The process: read config once, bring up (or find) Kafka and PostgreSQL, deploy the verticles,
 * and on SIGTERM shut down in order (HTTP first, infrastructure last).
 * Usage: {@code java -jar gateway.jar [-conf file.json]}, or {@code java -jar gateway.jar keys …} to manage API keys.
 */
public final class Main {
  private static final Logger LOG = LoggerFactory.getLogger(Main.class);

  /** What closing the clients and services may take after the consumers stopped. */
  static final long SHUTDOWN_MARGIN_SECONDS = 10;

  /**
   * How long SIGTERM waits for the orderly undeploy before the services are closed anyway: the in-flight requests'
   * grace, then a consumer's batch in flight ({@code applyTimeoutMs} + 5 s, its own stop bound), then the margin.
   * A fixed 60 s cut a default configuration's 75 s short. deploy/ sets a longer termination grace.
   */
  static long shutdownWaitSeconds(GatewayConfig config) {
    return (config.ingest().shutdownGraceMs() + config.consume().applyTimeoutMs()) / 1000 + 5 + SHUTDOWN_MARGIN_SECONDS;
  }

  private Main() {}

  public static void main(String[] args) {
    if (args.length > 0 && "keys".equals(args[0])) {
      System.exit(KeysCommand.run(java.util.Arrays.copyOfRange(args, 1, args.length), System.out, System.err));
    }
    Path confFile = null;
    for (int i = 0; i < args.length; i++) {
      if (("-conf".equals(args[i]) || "--conf".equals(args[i])) && i + 1 < args.length) {
        confFile = Path.of(args[++i]);
      } else if ("-h".equals(args[i]) || "--help".equals(args[i])) {
        System.out.println("usage: java -jar gateway.jar [-conf config.json]   (see README.md for the environment variables)\n"
          + "       java -jar gateway.jar keys add NAME --allow PERMISSION… | keys revoke ID|NAME | keys list");
        return;
      } else {
        fail("unknown argument '" + args[i] + "' (usage: java -jar gateway.jar [-conf config.json])");
      }
    }
    Infrastructure infra = new Infrastructure();
    try {
      GatewayConfig config = ConfigLoader.load(confFile, System.getenv());
      infra.start(config);
      GatewayConfig resolved = config.withEndpoints(infra.endpoints());
      Vertx vertx = Gateway.newVertx(resolved);
      Gateway gateway = deploy(vertx, resolved);
      long waitSeconds = shutdownWaitSeconds(resolved);
      Runtime.getRuntime().addShutdownHook(new Thread(() -> shutdown(vertx, gateway, infra, waitSeconds), "gateway-shutdown"));
    } catch (ConfigException e) {
      infra.close();
      fail(e.getMessage());
    }
  }

  /** Main thread, not an event loop: waiting here for the deployment is fine. */
  private static Gateway deploy(Vertx vertx, GatewayConfig config) {
    CountDownLatch latch = new CountDownLatch(1);
    Gateway[] gateway = new Gateway[1];
    Throwable[] failure = new Throwable[1];
    Gateway.deploy(vertx, config)
      .onComplete((deployed, err) -> {
        gateway[0] = deployed;
        failure[0] = err;
        latch.countDown();
      });
    try {
      if (!latch.await(120, TimeUnit.SECONDS)) {
        throw new ConfigException("the gateway did not finish starting within 120 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ConfigException("interrupted while starting");
    }
    if (failure[0] != null) {
      vertx.close();
      LOG.debug("start failure", failure[0]);
      throw new ConfigException("the gateway could not start: " + ErrorText.describe(failure[0]), failure[0]);
    }
    LOG.info("Gateway ready on http://localhost:{}/ (POST /topics/{topic}, GET /ready, GET /metrics)",
      config.ingest().port());
    return gateway[0];
  }

  private static void shutdown(Vertx vertx, Gateway gateway, Infrastructure infra, long waitSeconds) {
    LOG.info("Shutting down: stop ingest, finish in-flight work, close clients");
    CountDownLatch latch = new CountDownLatch(1);
    gateway.undeploy().eventually(vertx::close).onComplete(ar -> latch.countDown());
    try {
      if (!latch.await(waitSeconds, TimeUnit.SECONDS)) {
        LOG.warn("the orderly stop took over {} s: closing the services anyway", waitSeconds);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    infra.close();
    LOG.info("Stopped");
    LogManager.shutdown();
  }

  private static void fail(String message) {
    LOG.error("gateway: {}", message);
    System.exit(2);
  }
}

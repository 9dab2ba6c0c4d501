package org.eventgateway.tls;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.ServerSSLOptions;
import org.eventgateway.config.TlsConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * TLS for a listener ({@code ingest.tls}, {@code bridge.tls}): the PEM chain, key and client CA read from their files (as bytes,
 * so a changed file is never answered from a cache), TLS 1.2 and 1.3 only, client certificates as configured.
 * Every {@code reloadIntervalMs} the files' modification times are compared, and changed files are handed to the
 * running server: a rotated certificate is served to new connections without a restart.
 */
public final class TlsFiles {
  private static final Logger LOG = LoggerFactory.getLogger(TlsFiles.class);
  static final Set<String> PROTOCOLS = Set.of("TLSv1.2", "TLSv1.3");

  private final Vertx vertx;
  private final TlsConfig tls;
  private String stamp = "";
  private long timer = -1;

  public TlsFiles(Vertx vertx, TlsConfig tls) {
    this.vertx = vertx;
    this.tls = tls;
  }

  /** Puts TLS on {@code options} when it is configured; the start fails naming the file that cannot be read. */
  public <O extends NetServerOptions> Future<O> configure(O options) {
    if (!tls.enabled()) {
      return Future.succeededFuture(options);
    }
    return stamp().compose(now -> read().map(ssl -> {
      stamp = now;
      options.setSsl(true).setKeyCertOptions(ssl.getKeyCertOptions()).setTrustOptions(ssl.getTrustOptions())
        .setClientAuth(ssl.getClientAuth()).setEnabledSecureTransportProtocols(PROTOCOLS);
      return options;
    }));
  }

  /** Checks the files every reload interval and hands changed ones to the server ({@code update}: its updateSSLOptions). */
  public void watch(java.util.function.BiFunction<ServerSSLOptions, Boolean, Future<Boolean>> update) {
    if (tls.enabled()) {
      timer = vertx.setPeriodic(tls.reloadIntervalMs(), id -> stamp().onSuccess(now -> {
        if (!now.equals(stamp)) {
          stamp = now;
          read().compose(ssl -> update.apply(ssl, true))
            .onSuccess(updated -> LOG.info("TLS files changed: new connections get the certificate of {}", tls.certFile()))
            .onFailure(err -> LOG.error("TLS files changed but were not taken ({}); the certificate in use stays", err.getMessage()));
        }
      }));
    }
  }

  public void stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
  }

  private Future<ServerSSLOptions> read() {
    List<Future<Buffer>> reads = new ArrayList<>(List.of(readFile(tls.section() + ".certFile", tls.certFile()),
      readFile(tls.section() + ".keyFile", tls.keyFile())));
    if (!tls.trustFile().isBlank()) {
      reads.add(readFile(tls.section() + ".trustFile", tls.trustFile()));
    }
    return Future.all(reads).map(all -> {
      ServerSSLOptions ssl = new ServerSSLOptions().setEnabledSecureTransportProtocols(PROTOCOLS).setClientAuth(clientAuth(tls.clientAuth()))
        .setKeyCertOptions(new PemKeyCertOptions().addCertValue(all.resultAt(0)).addKeyValue(all.resultAt(1)));
      if (reads.size() > 2) {
        ssl.setTrustOptions(new PemTrustOptions().addCertValue(all.resultAt(2)));
      }
      return ssl;
    });
  }

  private Future<Buffer> readFile(String key, String path) {
    return vertx.fileSystem().readFile(path).recover(err -> Future.failedFuture("cannot read " + key + " " + path + ": " + err.getMessage()));
  }

  /** The files' modification times and sizes (asked asynchronously), to tell when one changed. */
  private Future<String> stamp() {
    List<Future<String>> parts = new ArrayList<>();
    for (String path : List.of(tls.certFile(), tls.keyFile(), tls.trustFile())) {
      parts.add(path.isBlank() ? Future.succeededFuture("-")
        : vertx.fileSystem().props(path).map(p -> p.lastModifiedTime() + ":" + p.size()).otherwise("missing"));
    }
    return Future.all(parts).map(all -> String.join("/", all.<String>list()));
  }

  public static ClientAuth clientAuth(String name) {
    return switch (name) {
      case "require" -> ClientAuth.REQUIRED;
      case "request" -> ClientAuth.REQUEST;
      default -> ClientAuth.NONE;
    };
  }
}

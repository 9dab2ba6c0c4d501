package org.eventgateway.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The gateway JVM's memory: heap and old generation from its /metrics, RSS from /proc; peaks over
 * all stages, peaks under the e2e load, and the heap left after a full GC at the end.
 */
final class MemorySampler {
  private long lastHeap;
  private long lastOld;
  private long lastRss;
  private long peakHeap;
  private long peakRss;
  private long loadHeap;
  private long loadOld;
  private long loadRss;
  private long liveAfterRun = -1;

  /** One sample; a sample missed (the gateway busy or gone) is a sample missed. */
  void sample(GatewayProcess gateway) {
    if (gateway == null || !gateway.alive()) {
      return;
    }
    gateway.metrics().ifPresent(page -> {
      lastHeap = (long) PrometheusText.sum(page, "jvm_memory_used_bytes{area=\"heap\"");
      lastOld = (long) PrometheusText.sum(page, "jvm_memory_used_bytes{area=\"heap\",id=\"G1 Old Gen\"");
    });
    try {
      lastRss = Files.readString(Path.of("/proc", String.valueOf(gateway.pid()), "status")).lines()
        .filter(l -> l.startsWith("VmRSS:")).mapToLong(l -> Long.parseLong(l.replaceAll("\\D", "")) * 1024).findFirst().orElse(0);
    } catch (IOException | RuntimeException gone) {
      // the gateway ended
    }
    peakHeap = Math.max(peakHeap, lastHeap);
    peakRss = Math.max(peakRss, lastRss);
  }

  /** A sample under the e2e load, which the memory row reports apart from the peaks. */
  void sampleUnderLoad(GatewayProcess gateway) {
    sample(gateway);
    loadHeap = Math.max(loadHeap, lastHeap);
    loadOld = Math.max(loadOld, lastOld);
    loadRss = Math.max(loadRss, lastRss);
  }

  /**
   * Heap in use right after a full GC (jcmd GC.run), once the e2e load is over: what the gateway
   * keeps, as opposed to the sampled heap, which includes the young garbage G1 lets pile up under
   * a 512 MB limit.
   */
  void measureLiveHeap(GatewayProcess gateway, List<String> notes) {
    try {
      Process gc = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
        String.valueOf(gateway.pid()), "GC.run").redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      if (gc.waitFor(30, TimeUnit.SECONDS) && gc.exitValue() == 0) {
        sample(gateway);
        liveAfterRun = lastHeap;
      }
    } catch (IOException e) {
      notes.add("could not run jcmd GC.run on the gateway: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The memory row's gateway column. */
  String describe() {
    return String.format("heap used under the e2e load: up to %d MB (young garbage included; "
        + "peak of all stages %d MB), of which old generation up to %d MB; heap after a full GC at the end of the e2e stage: %s; "
        + "RSS under the e2e load up to %d MB (peak %d MB)",
      mb(loadHeap), mb(peakHeap), mb(loadOld), liveAfterRun < 0 ? "not measured" : mb(liveAfterRun) + " MB", mb(loadRss), mb(peakRss));
  }

  private static long mb(long bytes) {
    return bytes / 1_048_576;
  }
}

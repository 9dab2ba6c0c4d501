package org.eventgateway.bench;

import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;

/**
 * The embedded broker's request counts, read from its JMX meters in this JVM: how many produce and
 * consumer fetch requests a stretch of load cost, the broker's main CPU driver when clients send
 * small requests (linger.ms=0, fetch.min.bytes=1).
 */
final class BrokerRequests {
  private final long produce;
  private final long fetch;

  private BrokerRequests(long produce, long fetch) {
    this.produce = produce;
    this.fetch = fetch;
  }

  static BrokerRequests now() {
    return new BrokerRequests(count("Produce"), count("FetchConsumer"));
  }

  /** "N produce and M fetch requests (records per request)" since the earlier reading. */
  String since(BrokerRequests before, long records) {
    long produced = produce - before.produce;
    long fetched = fetch - before.fetch;
    return String.format("%,d produce requests (%.1f records each) and %,d consumer fetches (%.1f records each)",
      produced, produced == 0 ? 0.0 : (double) records / produced, fetched, fetched == 0 ? 0.0 : (double) records / fetched);
  }

  private static long count(String request) {
    MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    long total = 0;
    try {
      for (ObjectName name : server.queryNames(new ObjectName("kafka.network:type=RequestMetrics,name=RequestsPerSec,request=" + request + ",*"), null)) {
        total += ((Number) server.getAttribute(name, "Count")).longValue();
      }
    } catch (Exception e) {
      return -1;
    }
    return total;
  }
}

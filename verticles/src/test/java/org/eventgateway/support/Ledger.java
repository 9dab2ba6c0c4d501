package org.eventgateway.support;

import io.vertx.sqlclient.Row;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Reconciles what the generator sent and had acknowledged with what the ledger group applied:
 * every acknowledged id applied exactly once (or dead-lettered), nothing applied twice, nothing
 * applied that was not sent, per-customer payment sums and per-sku stock equal to the generator's
 * over the applied set. Prints one line ending in {@code lost=… applied_twice=…} and fails unless
 * both are 0.
 */
public final class Ledger {
  private Ledger() {}

  /**
   * @param duplicatesDelivered events the gateway received again and recognised by their marker
   *                            (expected after crashes and rebalances; reported, not judged)
   */
  public static String reconcile(String scenario, TestGateway gw, LoadGenerator load, Set<String> deadLettered,
                                 long duplicatesDelivered) {
    Map<String, LoadGenerator.Order> sent = load.sent();
    Map<String, Integer> charges = new HashMap<>();
    for (Row row : gw.rows("SELECT order_id, count(*) FROM payments GROUP BY order_id")) {
      charges.put(row.getString(0), row.getLong(1).intValue());
    }
    Set<String> applied = new HashSet<>(charges.keySet());
    long lost = load.acked().stream().filter(id -> !applied.contains(id) && !deadLettered.contains(id)).count();
    long twice = charges.values().stream().filter(n -> n > 1).count();
    long phantom = applied.stream().filter(id -> !sent.containsKey(id)).count();
    long orders = gw.count("SELECT count(*) FROM orders");
    long markers = gw.count("SELECT count(*) FROM gateway_processed_events WHERE consumer_group = '" + gw.ledger + "'");

    Map<String, Double> expectedByCustomer = new HashMap<>();
    Map<String, Integer> expectedQtyBySku = new HashMap<>();
    for (String id : applied) {
      LoadGenerator.Order o = sent.get(id);
      if (o != null) {
        expectedByCustomer.merge(o.customer, o.amount, Double::sum);
        expectedQtyBySku.merge(o.sku, o.qty, Integer::sum);
      }
    }
    int customerMismatches = 0;
    for (Row row : gw.rows("SELECT o.customer, sum(p.amount)::float8 FROM payments p JOIN orders o USING (order_id) GROUP BY o.customer")) {
      if (Math.abs(expectedByCustomer.getOrDefault(row.getString(0), 0.0) - row.getDouble(1)) > 0.001) {
        customerMismatches++;
      }
    }
    int stockMismatches = 0;
    for (Row row : gw.rows("SELECT sku, 10000 - stock FROM inventory")) {
      if (expectedQtyBySku.getOrDefault(row.getString(0), 0).intValue() != row.getInteger(1).intValue()) {
        stockMismatches++;
      }
    }
    long kafkaRecords = gw.totalEnd(gw.topic);
    String line = String.format("ledger[%s]: sent=%d acked=%d failed_requests=%d applied=%d orders=%d markers=%d dead_lettered=%d "
        + "kafka_records=%d duplicates_delivered=%d unacked_applied=%d phantom=%d customer_sum_mismatches=%d stock_mismatches=%d "
        + "lost=%d applied_twice=%d",
      scenario, sent.size(), load.acked().size(), load.failedRequests(), applied.size(), orders, markers, deadLettered.size(),
      kafkaRecords, duplicatesDelivered, applied.stream().filter(id -> !load.acked().contains(id)).count(), phantom, customerMismatches,
      stockMismatches, lost, twice);
    System.out.println(line);
    if (lost != 0 || twice != 0 || phantom != 0 || customerMismatches != 0 || stockMismatches != 0
      || orders != applied.size() || markers != applied.size()) {
      fail(line);
    }
    return line;
  }
}

package org.eventgateway.ingest;

import io.micrometer.core.instrument.Counter;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.eventgateway.config.GatewayConfig;
import org.eventgateway.config.TopicConfig;
import org.eventgateway.metrics.GatewayMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * Per topic, a lag budget over the consumer groups the topic declares critical
 * ({@code topics.<t>.lagBudget: {"criticalGroups":[…],"maxRecords":…,"maxSeconds":…,"policy":"reject|warn"}}),
 * judged on every lag sample (Kafka's own end and committed offsets). While a critical group is
 * over budget, ingestion for that topic answers 429 with a Retry-After estimated from how fast the
 * group drains (policy reject), or accepts and flags the response (policy warn).
 *
 * <p>A verdict lives only as long as samples keep coming: with no sample for
 * {@code lag.budgetVerdictTtlMs} the budgets lapse (fail open: accept, WARN once, count it in
 * {@code gateway_lag_budget_lapsed_total}) until the next sample. A stopped sampler says nothing
 * about the group, and refusing ingestion on no evidence would turn a monitoring fault into an outage.
 */
final class LagBudgets {
  private static final Logger LOG = LoggerFactory.getLogger(LagBudgets.class);

  record Budget(Set<String> criticalGroups, long maxRecords, double maxSeconds, boolean reject) {}

  /** The verdict for one topic: why it is over budget, and when to come back. */
  record Over(String reason, long retryAfterSeconds, boolean reject) {}

  private final Map<String, Budget> budgets = new HashMap<>();
  private final Map<String, Over> over = new HashMap<>();
  private final LongSupplier clock;
  private final long verdictTtlMs;
  private long lastSampleAt;
  private boolean lapsed;

  LagBudgets(GatewayConfig root) {
    this(root, System::currentTimeMillis);
  }

  LagBudgets(GatewayConfig root, LongSupplier clock) {
    this.clock = clock;
    this.verdictTtlMs = root.lag().budgetVerdictTtlMs();
    this.lastSampleAt = clock.getAsLong(); // a sampler that never delivers lapses too
    root.topics().forEach((topic, spec) -> {
      TopicConfig.LagBudget b = spec.lagBudget();
      if (b != null) {
        budgets.put(topic, new Budget(b.criticalGroups(), b.maxRecords(), b.maxSeconds(), b.reject()));
      }
    });
  }

  boolean isEmpty() {
    return budgets.isEmpty();
  }

  /** Re-judges every topic on a new lag sample. */
  void onSample(JsonObject sample) {
    lastSampleAt = clock.getAsLong();
    if (lapsed) {
      lapsed = false;
      LOG.info("lag samples arrive again: lag budgets are enforced again");
    }
    over.clear();
    for (Object o : sample.getJsonArray("groups", new JsonArray())) {
      JsonObject g = (JsonObject) o;
      Budget budget = budgets.get(g.getString("topic"));
      if (budget == null || !budget.criticalGroups().contains(g.getString("group"))) {
        continue;
      }
      long lag = g.getLong("lag", 0L);
      double seconds = g.getDouble("lagSeconds", 0.0);
      if (lag > budget.maxRecords() || seconds > budget.maxSeconds()) {
        double drain = g.getDouble("rateOut", 0.0);
        long excess = lag - Math.min(lag, budget.maxRecords());
        long retry = drain > 0 ? (long) Math.ceil(excess / drain) : 5;
        over.merge(g.getString("topic"), new Over("consumer group '" + g.getString("group") + "' is over the lag budget of topic '"
          + g.getString("topic") + "': " + lag + " records (budget " + (budget.maxRecords() == Long.MAX_VALUE ? "none" : budget.maxRecords()) + "), "
          + seconds + " s (budget " + (budget.maxSeconds() == Double.MAX_VALUE ? "none" : budget.maxSeconds() + " s") + ")", Math.max(1, Math.min(60, retry)), budget.reject()),
          (a, b) -> a.retryAfterSeconds() >= b.retryAfterSeconds() ? a : b);
      }
    }
  }

  Over check(String topic) {
    if (!budgets.containsKey(topic)) {
      return null;
    }
    if (!lapsed && clock.getAsLong() - lastSampleAt > verdictTtlMs) {
      lapsed = true;
      over.clear();
      Counter.builder("gateway.lag.budget.lapsed").description("Times lag budgets lapsed because no lag sample arrived in time")
        .register(GatewayMetrics.registry()).increment();
      LOG.warn("no lag sample for over {} ms (lag.budgetVerdictTtlMs): lag budgets are not enforced until sampling resumes; "
        + "see /lag and the lag verticle's log", verdictTtlMs);
    }
    return over.get(topic);
  }

  /** True while budgets are not enforced for want of a fresh sample. */
  boolean lapsed() {
    return lapsed;
  }
}

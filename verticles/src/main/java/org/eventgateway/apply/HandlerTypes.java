package org.eventgateway.apply;

import org.eventgateway.contract.FailureKind;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Learns every handler statement's parameter types from PostgreSQL: PREPARE it under a name of its
 * own, read {@code pg_prepared_statements.parameter_types} (domains resolved to their base type),
 * DEALLOCATE — one simple-query round trip, so a failed PREPARE leaves nothing behind. vertx-pg-client
 * knows the types too but does not expose them, and narrows values into them without complaint.
 *
 * <p>Never fatal: a statement that cannot be prepared (a table not created yet, a missing privilege)
 * keeps its reason, its batches fail with it (class 42: {@link FailureKind#DEPLOYMENT}), and the
 * next lookup of its group tries again, so a later CREATE TABLE or GRANT fixes it without a restart.
 * All types are learned again every {@code apply.handlerTypesRefreshMs} (default 60000, 0: never): after
 * an ALTER COLUMN ... TYPE the old types are used at most that long.
 */
public final class HandlerTypes {
  private static final Logger LOG = LoggerFactory.getLogger(HandlerTypes.class);
  private static final AtomicLong PROBES = new AtomicLong();

  private final Pool pool;
  private final Map<String, List<HandlerStatement>> handlers;
  /** Groups whose types are being learned right now (event-loop confined). */
  private final Set<String> learning = new HashSet<>();

  public HandlerTypes(Pool pool, Map<String, List<HandlerStatement>> handlers) {
    this.pool = pool;
    this.handlers = handlers;
  }

  /** The group's statements, or null for a group without a handler; starts learning again where a statement is not ready. */
  public List<HandlerStatement> forGroup(String group) {
    List<HandlerStatement> statements = handlers.get(group);
    if (statements != null && !statements.stream().allMatch(HandlerStatement::ready)) {
      learn(group);
    }
    return statements;
  }

  /** Every group's statements, as compiled (their learned types may still be missing). */
  Map<String, List<HandlerStatement>> all() {
    return handlers;
  }

  /** Learns every group's types; never fails (the reasons stay on the statements). */
  public Future<Void> learnAll() {
    return Future.join(handlers.keySet().stream().map(this::learn).toList()).<Void>mapEmpty().otherwiseEmpty();
  }

  /** Starts a periodic refresh of every group's types; returns the timer id (-1: 0 turns the refresh off). */
  public long refreshEvery(Vertx vertx, long ms) {
    return ms <= 0 ? -1 : vertx.setPeriodic(ms, t -> learnAll());
  }

  public Future<Void> learn(String group) {
    List<HandlerStatement> statements = handlers.get(group);
    if (statements == null || !learning.add(group)) {
      return Future.succeededFuture();
    }
    Future<Void> chain = Future.succeededFuture();
    for (int i = 0; i < statements.size(); i++) {
      HandlerStatement statement = statements.get(i);
      String label = "groups." + group + ".handler[" + i + "]";
      chain = chain.compose(v -> learnOne(label, statement));
    }
    return chain.onComplete(ar -> learning.remove(group));
  }

  private Future<Void> learnOne(String label, HandlerStatement statement) {
    String before = statement.failure();
    String name = "gw_types_" + PROBES.incrementAndGet();
    String probe = "PREPARE " + name + " AS " + statement.sql() + ";\n"
      + "SELECT ARRAY(SELECT (CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END)::int8 "
      + "FROM pg_prepared_statements p, unnest(p.parameter_types) WITH ORDINALITY AS u(typ, n), pg_type t "
      + "WHERE p.name = '" + name + "' AND t.oid = u.typ ORDER BY u.n);\n"
      + "DEALLOCATE " + name;
    return pool.query(probe).execute()
      .map(first -> {
        RowSet<Row> select = first.next();
        Long[] oids = select.iterator().next().getArrayOfLongs(0);
        ParamType[] types = new ParamType[oids.length];
        for (int i = 0; i < oids.length; i++) {
          types[i] = ParamType.ofOid(oids[i]);
        }
        statement.learned(label, types);
        return (Void) null;
      })
      .otherwise(err -> {
        FailureKind kind = Failures.classify(err);
        if (statement.ready() && kind != FailureKind.DEPLOYMENT && kind != FailureKind.POISON) {
          // A refresh that met a busy or absent database: the types learned before still hold.
          LOG.debug("{}: refreshing the parameter types failed ({}), keeping the known ones", label, Failures.message(err));
          return null;
        }
        statement.notLearned(label, kind == FailureKind.POISON ? FailureKind.DEPLOYMENT : kind,
          "cannot be prepared: " + Failures.message(err));
        return null;
      })
      .onSuccess(v -> {
        String after = statement.failure();
        if (after != null && !after.equals(before)) {
          LOG.error("{} — the group's batches fail until this is fixed (retried on every batch)", after);
        } else if (after == null && before != null && !before.endsWith("not learned from PostgreSQL yet")) {
          LOG.info("{}: the statement prepares again, parameter types {}", label, statement.types());
        }
      })
      .map(v -> null);
  }

  /** For tests and status: every statement's failure, null entries for ready ones. */
  public List<String> failures(String group) {
    return handlers.getOrDefault(group, List.of()).stream().map(HandlerStatement::failure).filter(Objects::nonNull).toList();
  }
}

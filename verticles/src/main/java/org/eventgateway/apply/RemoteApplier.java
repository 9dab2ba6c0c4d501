package org.eventgateway.apply;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import org.eventgateway.contract.Addresses;
import org.eventgateway.contract.Codecs;
import org.eventgateway.contract.Events;
import org.eventgateway.contract.FailureKind;
import org.eventgateway.metrics.GatewayMetrics;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Applies one batch of a remote group (handler {@code {"type": "remote"}}), where the SQL handler would run, in three
 * steps so no transaction is open while clients work: (1) read which events are marked already (a plain read);
 * (2) hand the fresh ones to the group's dispatcher ({@link Addresses#REMOTE_DELIVER}), which answers once each is
 * acked by a client or dead; (3) ONE statement (atomic on its own): the markers of the acked events and, when every
 * event was acked, the group's next offsets. Dead events (a nack without retry, or too many failed deliveries) are
 * reported like the SQL path's poison events, with the client's reason, and are never marked. A batch the dispatcher
 * gave up on (no client, or not all acked in time) keeps its acked events' markers, so they are duplicates on the
 * retry, and fails as transient: the consumer backs off, and its buffers' bounds pause the partitions.
 */
final class RemoteApplier {
  static final String NACK_CLASS = "org.eventgateway.remote.ClientNack";
  /**
   * The markers (DedupeMarkers.MARK, $1–$5) and the positions (PositionStore.SAVE_OFFSETS, its arrays renumbered to
   * $6–$8) in one statement: a transaction of four round trips (BEGIN, two inserts, COMMIT) timed at a fifth to two
   * fifths of a remote batch. A data-modifying WITH runs whether or not its rows are read.
   */
  static final String MARK_AND_STORE = "WITH marked AS (" + DedupeMarkers.MARK + "), stored AS ("
    + Pattern.compile("\\$([2-4])").matcher(PositionStore.SAVE_OFFSETS).replaceAll(m -> "\\$" + (Integer.parseInt(m.group(1)) + 4))
    + ") SELECT event_id FROM marked";

  private final Vertx vertx;
  private final Pool pool;
  private final long waitMs;

  RemoteApplier(Vertx vertx, Pool pool, long waitMs) {
    this.vertx = vertx;
    this.pool = pool;
    this.waitMs = waitMs;
  }

  Future<JsonObject> apply(ApplyRequest request) {
    String group = request.group();
    List<JsonObject> all = request.events();
    String[] ids = all.stream().map(e -> e.getString("id")).toArray(String[]::new);
    return pool.preparedQuery(DedupeMarkers.MARKED).execute(Tuple.tuple().addString(group).addArrayOfString(ids))
      .compose(rows -> {
        Set<String> fresh = new HashSet<>(List.of(ids));
        for (Row row : rows) {
          fresh.remove(row.getString(0));
        }
        List<JsonObject> toDeliver = DedupeMarkers.firstOccurrences(all, fresh);
        if (toDeliver.isEmpty()) {
          return commit(request, List.of(), new JsonArray(), true);
        }
        JsonArray events = new JsonArray();
        toDeliver.forEach(e -> events.add(delivered(e)));
        return vertx.eventBus().<JsonObject>request(Addresses.REMOTE_DELIVER, new JsonObject().put("group", group).put("events", events),
            Codecs.handoff(waitMs)) // not copied: the dispatcher only reads the events
          .recover(err -> Future.failedFuture(new ClassifiedFailure(FailureKind.TRANSIENT, "remote group '" + group
            + "': the dispatcher did not take the batch: " + err.getMessage())))
          .compose(reply -> settled(request, toDeliver, reply.body()));
      })
      .onSuccess(result -> GatewayMetrics.applied(group, result.getInteger("applied"), result.getInteger("duplicates")));
  }

  /**
   * What a client gets: the SSE stream's {@code data} shape ({@code id, key, partition, offset, timestamp, headers,
   * value}), so one parser reads both.
   */
  static JsonObject delivered(JsonObject event) {
    return Events.outside(event.getString("id"), event.getString("key"), event.getInteger("partition"), event.getLong("offset"),
      event.getLong("timestamp"), event.getJsonObject("headers", new JsonObject())).put("value", event.getValue("value"));
  }

  /** The dispatcher's answer: marks what was acked, and fails the batch unless every event was settled. */
  private Future<JsonObject> settled(ApplyRequest request, List<JsonObject> delivered, JsonObject reply) {
    Set<String> ackedIds = new HashSet<>();
    reply.getJsonArray("acked", new JsonArray()).forEach(id -> ackedIds.add(String.valueOf(id)));
    List<JsonObject> acked = delivered.stream().filter(e -> ackedIds.contains(e.getString("id"))).toList();
    Map<String, Integer> index = new HashMap<>();
    for (int i = request.events().size() - 1; i >= 0; i--) {
      index.put(request.events().get(i).getString("id"), i); // the first occurrence wins
    }
    JsonArray dead = new JsonArray();
    for (Object d : reply.getJsonArray("dead", new JsonArray())) {
      JsonObject why = (JsonObject) d;
      Integer at = index.get(why.getString("id"));
      if (at != null) {
        dead.add(new JsonObject().put("index", at).put("id", why.getString("id")).put("stage", "remote").put("kind", "poison")
          .put("errorClass", NACK_CLASS).put("message", why.getString("reason")).put("attempts", why.getInteger("attempts", 1)));
      }
    }
    boolean complete = reply.getBoolean("complete", false);
    Future<JsonObject> stored = commit(request, acked, dead, complete);
    if (complete) {
      return stored;
    }
    return stored.compose(r -> Future.failedFuture(new ClassifiedFailure(FailureKind.TRANSIENT, "remote group '" + request.group()
      + "': " + reply.getString("message") + "; the " + acked.size() + " acked event(s) are marked, the batch is retried")));
  }

  /**
   * One statement, so one round trip and atomic without BEGIN and COMMIT of their own: the acked events' markers, and
   * the positions when nothing is left unacked or dead (else no offsets, and the positions stay).
   */
  private Future<JsonObject> commit(ApplyRequest request, List<JsonObject> acked, JsonArray dead, boolean complete) {
    boolean store = complete && dead.isEmpty() && !request.deferOffsets();
    Future<Integer> applied;
    if (acked.isEmpty() && !store) {
      applied = Future.succeededFuture(0);
    } else {
      Tuple parameters = DedupeMarkers.parameters(request.group(), acked);
      for (Object column : PositionStore.columns(store ? request.offsets() : new JsonArray())) {
        parameters.addValue(column);
      }
      applied = pool.preparedQuery(MARK_AND_STORE).execute(parameters).map(rows -> {
        List<String> fresh = new ArrayList<>();
        rows.forEach(row -> fresh.add(row.getString(0)));
        return DedupeMarkers.firstOccurrences(acked, fresh).size();
      });
    }
    return applied.map(n -> BatchApplier.result(n, request.events().size() - n - dead.size(), dead, store));
  }
}

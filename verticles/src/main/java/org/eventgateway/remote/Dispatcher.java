package org.eventgateway.remote;

import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One remote group's deliveries: the batch in flight (at most one, as the consumer applies one at a time), the
 * connected sessions with their credit windows, and which session holds which partition. Each partition goes to one
 * session at a time and its events leave in offset order; a partition moves only when its session left, or when
 * it has nothing of that partition in flight (so order holds), to even the spread when sessions join. An event
 * goes back to the front of its partition, to be delivered again, when its session leaves, its ack does not come
 * within the ack timeout (to another session when there is one), or the client nacks it with retry (after a
 * backoff; later events of the partition wait behind it). Each failed delivery counts: at {@code maxAttempts} the
 * event is dead, as is an event nacked without retry. The batch is done when every event is acked or dead, or gives
 * up at its deadline or after {@code noClientTimeoutMs} without a session holding credit. No Vert.x: the owner
 * passes the time in and sends what {@link #pump} returns; owned by one event loop.
 */
final class Dispatcher {
  /** An event that will not be acked: the client's reason, or why the gateway gave up on it. */
  record Dead(String id, String reason, int attempts) {}

  /** How a batch ended: its acked ids, its dead events, and whether that is all of it (else {@code message} says why not). */
  record Outcome(List<String> acked, List<Dead> dead, boolean complete, String message) {}

  /** Tuning, from the remote and consume sections. */
  record Limits(int maxAttempts, long ackTimeoutMs, long backoffMs, long backoffMaxMs, long batchTimeoutMs, long noClientTimeoutMs) {}

  private static final class Session {
    final String id;
    int window;
    int outstanding;

    Session(String id) {
      this.id = id;
    }

    int free() {
      return Math.max(0, window - outstanding);
    }
  }

  private static final class Entry {
    final JsonObject event;
    final String id;
    final int partition;
    final long offset;
    int attempts;
    String session;
    String lastSession;
    long ackBy;
    long notBefore;
    boolean settled;

    Entry(JsonObject event) {
      this.event = event;
      this.id = event.getString("id");
      this.partition = event.getInteger("partition", 0);
      this.offset = event.getLong("offset", 0L);
    }
  }

  private final Limits limits;
  private final int maxSessions;
  private final Map<String, Session> sessions = new LinkedHashMap<>();
  private final Map<Integer, String> owner = new TreeMap<>();
  private Map<String, Entry> entries = new LinkedHashMap<>();
  /** Events waiting for a delivery, per partition in offset order. */
  private final Map<Integer, TreeMap<Long, Entry>> pending = new TreeMap<>();
  /**
   * Failed deliveries of the unsettled events of the batch last given up: the consumer retries the same events, and
   * the bound counts across those retries (else an event no client ever acks would hold its partition forever).
   * At most one batch's worth.
   */
  private Map<String, Integer> carried = Map.of();
  private List<String> acked = new ArrayList<>();
  private List<Dead> dead = new ArrayList<>();
  private int unsettled;
  private boolean active;
  private long deadline;
  private long lastServed;

  Dispatcher(Limits limits, int maxSessions) {
    this.limits = limits;
    this.maxSessions = maxSessions;
  }

  // ---- sessions -------------------------------------------------------------------------------

  /** False when the group already has {@code maxSessions} sessions. */
  boolean join(String session) {
    if (sessions.size() >= maxSessions) {
      return false;
    }
    sessions.putIfAbsent(session, new Session(session));
    return true;
  }

  /** The session's events in flight go back to the front of their partitions (a failed delivery each). */
  void leave(String session, long now) {
    if (sessions.remove(session) == null) {
      return;
    }
    owner.values().removeIf(session::equals);
    for (Entry e : new ArrayList<>(entries.values())) {
      if (session.equals(e.session)) {
        e.session = null;
        e.lastSession = session;
        failed(e, now, now, "its client disconnected before acking it");
      }
    }
  }

  /** The session's window: how many events it may hold unacknowledged. */
  void credit(String session, int window) {
    Session s = sessions.get(session);
    if (s != null) {
      s.window = window;
    }
  }

  int sessions() {
    return sessions.size();
  }

  // ---- answers --------------------------------------------------------------------------------

  /** Settles the acked ids (from any session: an ack is an effect done); returns the ids the batch does not hold. */
  List<String> ack(List<String> ids) {
    List<String> unknown = new ArrayList<>();
    for (String id : ids) {
      Entry e = entries.get(id);
      if (e == null) {
        unknown.add(id);
      } else if (!e.settled) {
        take(e, false);
        e.settled = true;
        unsettled--;
        acked.add(id);
      }
    }
    return unknown;
  }

  /** False when the batch does not hold the id. */
  boolean nack(String id, String reason, boolean retry, long now) {
    Entry e = entries.get(id);
    if (e == null) {
      return false;
    }
    if (e.settled) {
      return true;
    }
    take(e, true);
    if (retry) {
      failed(e, now, now + backoffMs(e.attempts + 1), "nacked with retry: " + reason);
    } else {
      e.attempts++;
      settleDead(e, reason);
    }
    return true;
  }

  /** Events whose ack is overdue go back to the front of their partitions, preferably for another session. */
  void expire(long now) {
    for (Entry e : new ArrayList<>(entries.values())) {
      if (e.session != null && e.ackBy <= now) {
        take(e, true);
        failed(e, now, now, "not acknowledged within ackTimeoutMs=" + limits.ackTimeoutMs());
      }
    }
  }

  // ---- batches --------------------------------------------------------------------------------

  /** A new batch; one still in flight is given up (its sessions' credit comes back). Ids repeated in it count once. */
  void offer(List<JsonObject> events, long now) {
    abandon();
    for (JsonObject event : events) {
      Entry e = new Entry(event);
      if (e.id != null && entries.putIfAbsent(e.id, e) == null) {
        e.attempts = carried.getOrDefault(e.id, 0);
        pending.computeIfAbsent(e.partition, p -> new TreeMap<>()).put(e.offset, e);
      }
    }
    carried = Map.of();
    unsettled = entries.size();
    active = true;
    deadline = now + limits.batchTimeoutMs();
    lastServed = now;
  }

  /** The batch's end once it is reached (then the dispatcher holds no batch), else null. */
  Outcome outcome(long now) {
    if (!active) {
      return null;
    }
    if (sessions.values().stream().anyMatch(s -> s.window > 0)) {
      lastServed = now;
    }
    String why = null;
    if (unsettled == 0) {
      why = "";
    } else if (now >= deadline) {
      why = unsettled + " event(s) not acked within remote.batchTimeoutMs=" + limits.batchTimeoutMs();
    } else if (now - lastServed >= limits.noClientTimeoutMs()) {
      why = "no client with credit connected for remote.noClientTimeoutMs=" + limits.noClientTimeoutMs();
    }
    if (why == null) {
      return null;
    }
    Outcome out = new Outcome(acked, dead, why.isEmpty(), why.isEmpty() ? null : why);
    abandon();
    return out;
  }

  /** What to send now: session → its events, in order; marks them in flight. */
  Map<String, List<JsonObject>> pump(long now) {
    Map<String, List<JsonObject>> out = new LinkedHashMap<>();
    if (!active) {
      return out;
    }
    rebalance();
    boolean progress = true;
    while (progress) {
      progress = false; // one event per partition per round: no partition starves the others of a session's credit
      for (Integer p : new ArrayList<>(pending.keySet())) {
        TreeMap<Long, Entry> queue = pending.get(p);
        Entry head = queue.firstEntry().getValue();
        Session s = head.notBefore > now ? null : ownerOf(p, head);
        if (s == null || s.free() == 0) {
          continue;
        }
        queue.pollFirstEntry();
        if (queue.isEmpty()) {
          pending.remove(p);
        }
        head.session = s.id;
        head.ackBy = now + limits.ackTimeoutMs();
        s.outstanding++;
        out.computeIfAbsent(s.id, k -> new ArrayList<>()).add(head.event);
        progress = true;
      }
    }
    return out;
  }

  /** Which session holds the partition (for tests and the log). */
  String ownerOf(int partition) {
    return owner.get(partition);
  }

  // ---- inside ---------------------------------------------------------------------------------

  private Session ownerOf(int partition, Entry head) {
    String held = owner.get(partition);
    if (held != null && sessions.containsKey(held)) {
      return sessions.get(held);
    }
    List<Session> able = sessions.values().stream().filter(s -> s.window > 0).toList();
    if (able.isEmpty()) {
      return null;
    }
    Session chosen = able.stream().min(Comparator
        .comparingInt((Session s) -> able.size() > 1 && s.id.equals(head.lastSession) ? 1 : 0)
        .thenComparingLong(s -> owned(s.id))
        .thenComparingInt(s -> -s.free()))
      .orElseThrow();
    owner.put(partition, chosen.id);
    return chosen;
  }

  private long owned(String session) {
    return owner.values().stream().filter(session::equals).count();
  }

  /**
   * Sessions holding more than their share of partitions give up those they have nothing in flight for, so a new
   * session gets work without breaking any partition's order.
   */
  private void rebalance() {
    long able = sessions.values().stream().filter(s -> s.window > 0).count();
    if (able < 2) {
      return;
    }
    long partitions = owner.size() + pending.keySet().stream().filter(p -> !owner.containsKey(p)).count();
    long fair = (partitions + able - 1) / able;
    for (Session s : sessions.values()) {
      long count = owned(s.id);
      for (Integer p : new ArrayList<>(owner.keySet())) {
        if (count <= fair) {
          break;
        }
        if (s.id.equals(owner.get(p)) && entries.values().stream().noneMatch(e -> s.id.equals(e.session) && e.partition == p)) {
          owner.remove(p);
          count--;
        }
      }
    }
  }

  /**
   * Out of flight or out of the queue, wherever it is. {@code release}: it came back unacked, so its partition may
   * move to another session, unless the session holds more of it (an acked one keeps its partition where it is).
   */
  private void take(Entry e, boolean release) {
    if (e.session != null) {
      Session s = sessions.get(e.session);
      if (s != null) {
        s.outstanding--;
      }
      e.lastSession = e.session;
      e.session = null;
      String from = e.lastSession;
      if (release && from.equals(owner.get(e.partition)) && entries.values().stream().noneMatch(o -> from.equals(o.session) && o.partition == e.partition)) {
        owner.remove(e.partition);
      }
    } else {
      TreeMap<Long, Entry> queue = pending.get(e.partition);
      if (queue != null && queue.remove(e.offset, e) && queue.isEmpty()) {
        pending.remove(e.partition);
      }
    }
  }

  /** A failed delivery: dead at the bound, else back to the front of its partition from {@code notBefore}. */
  private void failed(Entry e, long now, long notBefore, String why) {
    e.attempts++;
    if (e.attempts >= limits.maxAttempts()) {
      settleDead(e, "failed " + e.attempts + " deliveries (consume.maxAttempts=" + limits.maxAttempts() + "); last: " + why);
      return;
    }
    e.notBefore = notBefore;
    pending.computeIfAbsent(e.partition, p -> new TreeMap<>()).put(e.offset, e);
  }

  private void settleDead(Entry e, String reason) {
    e.settled = true;
    unsettled--;
    dead.add(new Dead(e.id, reason, e.attempts));
  }

  private long backoffMs(int attempt) {
    return Math.min(limits.backoffMaxMs(), limits.backoffMs() << Math.min(Math.max(attempt, 1) - 1, 16));
  }

  /** Forgets the batch (keeping its unsettled events' failed deliveries): events in flight give their sessions' credit back. */
  private void abandon() {
    if (!active) {
      return; // nothing held: keep what the batch given up last carried
    }
    Map<String, Integer> failedSoFar = new java.util.HashMap<>();
    for (Entry e : entries.values()) {
      int failed = e.attempts + (e.session != null ? 1 : 0); // still unacked at the give-up: that delivery failed too
      if (!e.settled && failed > 0) {
        failedSoFar.put(e.id, failed);
      }
      if (e.session != null && sessions.containsKey(e.session)) {
        sessions.get(e.session).outstanding--;
      }
    }
    carried = failedSoFar;
    entries = new LinkedHashMap<>();
    pending.clear();
    acked = new ArrayList<>();
    dead = new ArrayList<>();
    unsettled = 0;
    active = false;
  }
}

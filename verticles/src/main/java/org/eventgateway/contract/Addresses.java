package org.eventgateway.contract;

/**
 * Every event-bus address of the gateway, in one place.
 * Requests are {@code gateway.<area>.<verb>} and are always answered or failed; a failure code in
 * the 400–599 range is the HTTP status the ingest side should answer with.
 */
public final class Addresses {
  private Addresses() {}

  /**
   * Inbound from the SockJS and TCP event-bus bridges (and any bus client): {"topic","records":[…]}
   * validated like a REST body → {"offsets":[…]}, or a failure whose code is the HTTP status.
   */
  public static final String INGEST_PUBLISH = "gateway.ingest.publish";

  /** Ingest → produce: {"topic", "records":[…]} → {"offsets":[…]} (one slot per record, in order). */
  public static final String PRODUCE_SEND = "gateway.produce.send";
  /** HTTP → produce: {"topic"} → the topic's hot-key report (top keys, shares, salted keys). */
  public static final String PRODUCE_KEYS = "gateway.produce.keys";
  /** Readiness probe of the Kafka side: answers {"kafka":"up"} or fails with 503. */
  public static final String PRODUCE_READY = "gateway.produce.ready";

  /** Consume → apply: {"group", "events":[…]} → {"applied", "duplicates"}, after the PG commit. */
  public static final String APPLY_BATCH = "gateway.apply.batch";
  /** Consume → apply: {"group","topic","partitions":[…]} → {"offsets":{"<partition>": next}} stored in PostgreSQL. */
  public static final String APPLY_OFFSETS = "gateway.apply.offsets";
  /**
   * Consume → apply, once a batch's dead letters were acked by the broker (the apply reply said
   * "offsetsStored": false): {"group","offsets":[{"topic","partition","next"}]} → {"stored": n}.
   */
  public static final String APPLY_POSITIONS = "gateway.apply.positions";

  /**
   * Consume → dlq: {"group","records":[dead record…]} → {"written": n}, answered after the broker
   * acknowledged them on the group's dead-letter topic.
   */
  public static final String DLQ_PUBLISH = "gateway.dlq.publish";
  /** HTTP → dlq: {"group","from","limit"} → {"records":[…],"next","end"}. */
  public static final String DLQ_BROWSE = "gateway.dlq.browse";
  /** HTTP → dlq: {"group", selection…, "dryRun"} → {"task":{…}} (the task runs asynchronously). */
  public static final String DLQ_REDRIVE = "gateway.dlq.redrive";
  /** HTTP → dlq: {"group","id"} → {"task":{…}}, or 404. */
  public static final String DLQ_TASK = "gateway.dlq.task";

  /**
   * Dlq or replay → apply: {"kind":"redrive"|"replay","report":{…,"id","group"},"keep":n} stores the report of a task so
   * any instance can answer for it, keeping the newest n of its kind → {}.
   */
  public static final String APPLY_TASK_SAVE = "gateway.apply.tasksave";
  /** Dlq or replay → apply: {"kind","id","group"} → {"report":{…}} as last stored by any instance, or 404. */
  public static final String APPLY_TASK_FIND = "gateway.apply.taskfind";

  /** Runs one marker-retention pass now: → {"deleted": n}. (It also runs on a timer.) */
  public static final String APPLY_RETENTION = "gateway.apply.retention";

  /**
   * Replay → apply: {"group","events":[…]} run through the group's handler in a transaction that is
   * rolled back → {"wouldApply","duplicates","failures":[{"id","sqlState","message"}]}.
   */
  public static final String APPLY_SHADOW = "gateway.apply.shadow";
  /** HTTP → replay: start ({"group","mode","from","to"}) and status ({"group","id"}). */
  public static final String REPLAY_START = "gateway.replay.start";
  public static final String REPLAY_STATUS = "gateway.replay.status";

  /**
   * Replay → apply: {"group","topic","offsets":{"<partition>": n}} lowers the group's stored positions
   * to n (never raises them; partitions without a stored position are left alone) →
   * {"previous":{…},"positions":{…}}.
   */
  public static final String APPLY_REWIND = "gateway.apply.rewind";

  /**
   * Any verticle → control: a fleet-wide command ({@link ControlCommands}) written to the control topic → {} once the
   * broker acknowledged it. Every instance, this one included, then receives it on {@link #CONTROL_RECEIVED}.
   */
  public static final String CONTROL_SEND = "gateway.control.send";
  /** Control → this process (published locally): every command read from the control topic, whoever wrote it. */
  public static final String CONTROL_RECEIVED = "gateway.control.received";
  /**
   * A key salter → control (fire and forget): {"topic","key","claimant","shards"} claims a key hot for the fleet
   * (sent again while it stays hot, so the claim outlives {@code control.claimTtlMs}); "shards" null retracts it
   * ({@link HotKeyDecisions}).
   */
  public static final String CONTROL_HOT_KEY_CLAIM = "gateway.control.hotkey";
  /**
   * Lag → control (fire and forget), every {@code lag.intervalMs}: {"states":[{@link #CONSUME_STATE} body…]}, this
   * process's consumers' states, written for the fleet to the consumer-states topic ({@code control.consumerStatesTopic}).
   */
  public static final String CONTROL_CONSUMER_STATES = "gateway.control.consumer-states";
  /**
   * Control → this process (published locally): another instance's consumers' states as read from the consumer-states
   * topic, {"instance","states":[{@link #CONSUME_STATE} body…],"ageMs"} ("ageMs": how old the record was when read).
   */
  public static final String CONTROL_FLEET_STATES = "gateway.control.fleet-states";

  /**
   * Apply → remote: {"group","events":[event with headers…]} (the fresh events of one batch of a remote group) →
   * {"acked":[id…],"dead":[{"id","reason","attempts"}],"complete","message"} once every event was acked or is dead,
   * or when the batch gave up waiting ("complete": false; the acked ones are still listed, to be marked).
   */
  public static final String REMOTE_DELIVER = "gateway.remote.deliver";
  /**
   * A group session ({@link GroupSession}: a /ws/groups/{group} WebSocket or a TCP bridge registration) → remote: {"op":"join"|"leave"|"credit"|"ack"|"nack","group","session",…}.
   * join → {"ok"} or fails 503; ack ({"ids":[…]}) and nack ({"id","reason","retry"}) → {"unknown":[id…]}; credit
   * ({"credit": n}) and leave are answered {"ok"}.
   */
  public static final String REMOTE_SESSION = "gateway.remote.session";

  /** Remote → one session (sent, not requested): {"events":[…]} to write to its client in this order. */
  public static String remoteClient(String session) {
    return "gateway.remote.client." + session;
  }

  /**
   * TCP bridge clients of a remote group register here (needs {@code consume:<group>}): each delivered event is a
   * {@code message} frame from this address, in the /ws/groups/{group} event shape, with a {@link #groupReply} to answer.
   * Only the TCP bridge serves it (no bus consumer listens on it).
   */
  public static String groupDeliver(String group) {
    return GROUPS + group + DELIVER;
  }

  /**
   * The reply address of the {@code n}-th delivery on one bridge connection: a {@code send} to it acks the event (or
   * nacks it, body {"nack":{…}}). Known only to the connection that issued it.
   */
  public static String groupReply(String group, long n) {
    return GROUPS + group + REPLY + n;
  }

  /** The group of a {@link #groupDeliver} address, else null. */
  public static String groupOfDeliver(String address) {
    return address != null && address.startsWith(GROUPS) && address.endsWith(DELIVER) && address.length() > GROUPS.length() + DELIVER.length()
      ? address.substring(GROUPS.length(), address.length() - DELIVER.length()) : null;
  }

  /** The group of a {@link #groupReply} address, else null. */
  public static String groupOfReply(String address) {
    if (address == null || !address.startsWith(GROUPS)) {
      return null;
    }
    int at = address.lastIndexOf(REPLY);
    String n = at < 0 ? "" : address.substring(at + REPLY.length());
    return at > GROUPS.length() && !n.isEmpty() && n.length() < 19 && n.chars().allMatch(Character::isDigit)
      ? address.substring(GROUPS.length(), at) : null;
  }

  private static final String GROUPS = "gateway.groups.";
  private static final String DELIVER = ".deliver";
  private static final String REPLY = ".reply.";

  /** Readiness probe of the PostgreSQL side: answers {"postgres":"up"} or fails with 503. */
  public static final String APPLY_READY = "gateway.apply.ready";

  /**
   * Publication, every second and on every assignment change, by each consume verticle:
   * {"group","topic","assigned":[partition…],"paused":[partition…],"fault","instance"} ("instance": the consumer's
   * {@code group.instance.id}, else its {@code client.id}: the member Kafka's tools show).
   */
  public static final String CONSUME_STATE = "gateway.consume.state";

  /** Publication of lag samples (see the lag verticle), also bridged to /ws/lag. */
  public static final String LAG_UPDATES = "gateway.lag.updates";
  /** HTTP → lag: the latest sample, or 503 before the first one. */
  public static final String LAG_LATEST = "gateway.lag.latest";

  /**
   * Anyone → audit, fire and forget: one entry of the audit trail ({@link AuditEntries}). Kept in a bounded
   * queue and written to {@code gateway_audit} in batches; dropped and counted when the queue is full.
   */
  public static final String AUDIT_RECORD = "gateway.audit.record";
  /** HTTP → audit: {"from": id, "limit": n} → {"entries":[…], "next": id}, oldest first. */
  public static final String AUDIT_QUERY = "gateway.audit.query";
}

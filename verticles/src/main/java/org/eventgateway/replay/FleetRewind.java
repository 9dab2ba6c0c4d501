package org.eventgateway.replay;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.eventgateway.contract.Addresses;
import org.eventgateway.contract.ControlCommands;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Function;

/**
 * Rewinds a running group for an apply replay, whichever instances run it: holds every member the broker lists
 * through the control topic, checks the group did not change meanwhile, lowers the stored positions in PostgreSQL
 * once ({@link Addresses#APPLY_REWIND}), then releases the members onto them. A member that refuses, or does not
 * answer within {@code control.ackTimeoutMs}, calls the rewind off: every member resumes where it stood, and the
 * request fails with the reason ({@link ControlCommands} has the protocol).
 */
final class FleetRewind {
  private static final Logger LOG = LoggerFactory.getLogger(FleetRewind.class);

  /** Releasing is a seek per partition: the answer does not wait longer for it (members resume by themselves). */
  static final long RELEASE_WAIT_MS = 10_000;

  private final Vertx vertx;
  private final long ackTimeoutMs;
  private final Function<String, Future<List<String>>> members;

  /** {@code members}: the client ids the broker lists for a group now. */
  FleetRewind(Vertx vertx, long ackTimeoutMs, Function<String, Future<List<String>>> members) {
    this.vertx = vertx;
    this.ackTimeoutMs = ackTimeoutMs;
    this.members = members;
  }

  /** The rewind's answer ({@code previous}, {@code positions}, {@code assigned}), or a failure whose code is the status. */
  Future<JsonObject> run(String group, String topic, JsonObject offsets, List<String> listed) {
    String op = UUID.randomUUID().toString();
    Answers answers = new Answers(op, Set.copyOf(listed));
    MessageConsumer<JsonObject> listener = vertx.eventBus().localConsumer(Addresses.CONTROL_RECEIVED, m -> answers.add(m.body()));
    LOG.info("[{}] rewind {}: holding members {}", group, op, listed);
    Future<JsonObject> rewound = listener.completion()
      .compose(v -> send(ControlCommands.hold(op, group)))
      .compose(v -> answers.await(ControlCommands.HELD, ackTimeoutMs))
      .compose(v -> members.apply(group))
      .compose(now -> Set.copyOf(now).equals(answers.expected) ? Future.succeededFuture()
        : refuse(409, "group '" + group + "' changed members during the hold (" + listed + " then " + now + "): retry"))
      .compose(v -> vertx.eventBus().<JsonObject>request(Addresses.APPLY_REWIND, new JsonObject().put("group", group)
        .put("topic", topic).put("offsets", offsets), new DeliveryOptions().setSendTimeout(30_000)).map(Message::body));
    return rewound
      .compose(positions -> send(ControlCommands.release(op, group, positions.getJsonObject("positions")))
        .compose(v -> answers.await(ControlCommands.RELEASED, Math.min(ackTimeoutMs, RELEASE_WAIT_MS))
          .recover(err -> {
            // The positions are rewound in PostgreSQL: a member that did not say so resumes from them by itself.
            LOG.warn("[{}] rewind {}: {}", group, op, err.getMessage());
            return Future.succeededFuture();
          }))
        .map(v -> positions.put("assigned", new JsonArray(List.copyOf(answers.assigned)))))
      .recover(err -> {
        LOG.warn("[{}] rewind {} called off: {}", group, op, err.getMessage());
        return send(ControlCommands.release(op, group, null)).transform(ignored -> Future.failedFuture(err));
      })
      .eventually(listener::unregister);
  }

  private Future<Void> send(JsonObject command) {
    return vertx.eventBus().request(Addresses.CONTROL_SEND, command, new DeliveryOptions().setSendTimeout(30_000)).mapEmpty();
  }

  private static <T> Future<T> refuse(int status, String why) {
    return Future.failedFuture(new ReplyException(ReplyFailure.RECIPIENT_FAILURE, status, why));
  }

  /**
   * The members' answers to one operation, phase by phase. Kept from the moment the listener is registered, whatever
   * the phase awaited: a member's {@code held} may come back before the broker's acknowledgement of the hold does.
   */
  private final class Answers {
    final String op;
    final Set<String> expected;
    final Map<String, Set<String>> membersByType = new HashMap<>();
    final Map<String, Set<Integer>> assignedByType = new HashMap<>();
    final Set<Integer> assigned = new TreeSet<>();
    String refusal;
    String phase;
    Promise<Void> all;

    Answers(String op, Set<String> expected) {
      this.op = op;
      this.expected = expected;
    }

    Future<Void> await(String type, long timeoutMs) {
      phase = type;
      all = Promise.promise();
      long timer = vertx.setTimer(timeoutMs, t -> {
        Set<String> missing = new TreeSet<>(expected);
        missing.removeAll(membersByType.getOrDefault(type, Set.of()));
        all.tryFail(new ReplyException(ReplyFailure.RECIPIENT_FAILURE, 503, "members " + missing + " did not answer '"
          + type + "' within control.ackTimeoutMs = " + timeoutMs + " ms"));
      });
      check();
      return all.future().onComplete(ar -> vertx.cancelTimer(timer));
    }

    void add(JsonObject answer) {
      if (!op.equals(answer.getString("op"))) {
        return;
      }
      String type = String.valueOf(answer.getValue("type"));
      String member = String.valueOf(answer.getValue("member"));
      if (ControlCommands.REFUSED.equals(type)) {
        refusal = "member " + member + " refused: " + answer.getString("reason");
      } else if (ControlCommands.HELD.equals(type) || ControlCommands.RELEASED.equals(type)) {
        membersByType.computeIfAbsent(type, t -> new TreeSet<>()).add(member);
        answer.getJsonArray("assigned", new JsonArray())
          .forEach(p -> assignedByType.computeIfAbsent(type, t -> new TreeSet<>()).add(((Number) p).intValue()));
      }
      check();
    }

    private void check() {
      if (all == null) {
        return;
      }
      if (refusal != null) {
        all.tryFail(new ReplyException(ReplyFailure.RECIPIENT_FAILURE, 409, refusal));
      } else if (membersByType.getOrDefault(phase, Set.of()).containsAll(expected)) {
        assigned.clear();
        assigned.addAll(assignedByType.getOrDefault(phase, Set.of()));
        all.tryComplete();
      }
    }
  }
}

package org.eventgateway.support;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * What the hostile-input suite saw: one {@link Outcome} per request or frame, judged against the
 * rules every request obeys (no 5xx but a 503 with Retry-After, nothing unanswered after its
 * deadline, no WebSocket close 1011) and against its case's own {@link Expect}. Failures are kept
 * per group and case with a histogram of what came back, so each one points at its defect.
 */
public final class HostileTally {
  /** How an exchange ended. */
  public enum Kind { HTTP, WS_TEXT, WS_CLOSE, CLOSED, TIMEOUT, NON_HTTP, ERROR }

  /**
   * @param status HTTP status, or a WebSocket answer's error_code (200 for an ack), or the close code
   * @param detail the start of the body or frame, or the client-side exception
   */
  public record Outcome(Kind kind, int status, boolean retryAfter, String detail, long millis) {
    public static Outcome http(int status, boolean retryAfter, String body, long millis) {
      return new Outcome(Kind.HTTP, status, retryAfter, body, millis);
    }

    public static Outcome of(Kind kind, String detail, long millis) {
      return new Outcome(kind, 0, false, detail, millis);
    }

    public String label() {
      return switch (kind) {
        case HTTP -> String.valueOf(status);
        case WS_TEXT -> "ws:" + status;
        case WS_CLOSE -> "close:" + status;
        default -> kind.name();
      };
    }
  }

  /** A case's expectation, with the words the report uses for it. */
  public record Expect(String says, Predicate<Outcome> accepts) {
    public static Expect status(Integer... allowed) {
      Set<Integer> set = Set.of(allowed);
      return new Expect("status " + new java.util.TreeSet<>(set),
        o -> (o.kind == Kind.HTTP || o.kind == Kind.WS_TEXT) && set.contains(o.status));
    }

    /** Operator bodies: "strict" ones are refused with 400/422, "accepted" ones 202, the others only answered. */
    public static Expect operator(String strictness) {
      return switch (strictness) {
        case "strict" -> status(400, 422);
        case "accepted" -> status(202, 429, 503); // or pushed back by a cap on running tasks
        default -> answered();
      };
    }

    /** Any 4xx. */
    public static Expect clientError() {
      return new Expect("a 4xx", o -> (o.kind == Kind.HTTP || o.kind == Kind.WS_TEXT) && o.status >= 400 && o.status < 500);
    }

    /** Anything that is an answer: a status below 500, or a 503 with Retry-After. */
    public static Expect answered() {
      return new Expect("an answer", o -> o.kind == Kind.HTTP || o.kind == Kind.WS_TEXT);
    }

    public static Expect wsClose(Integer... codes) {
      Set<Integer> set = Set.of(codes);
      return new Expect("close " + new java.util.TreeSet<>(set), o -> o.kind == Kind.WS_CLOSE && set.contains(o.status));
    }

    /** For deliberately broken protocol: the connection closed (or a close frame, or non-HTTP bytes) also counts. */
    public Expect orClosed() {
      return new Expect(says + " or closed", o -> accepts.test(o) || o.kind == Kind.CLOSED || o.kind == Kind.NON_HTTP
        || (o.kind == Kind.WS_CLOSE && o.status != 1011));
    }

    public Expect and(String what, Predicate<Outcome> also) {
      return new Expect(says + " and " + what, o -> accepts.test(o) && also.test(o));
    }
  }

  private final AtomicLong requests = new AtomicLong();
  private final AtomicLong wsFrames = new AtomicLong();
  private final AtomicLong slow = new AtomicLong();
  private final AtomicLong s2xx = new AtomicLong();
  private final AtomicLong s4xx = new AtomicLong();
  private final AtomicLong s5xx = new AtomicLong();
  private final AtomicLong pushBack = new AtomicLong();
  private final AtomicLong closed = new AtomicLong();
  private final AtomicLong unanswered = new AtomicLong();
  private final AtomicLong slowestAnswerMs = new AtomicLong();
  private final AtomicLong retries = new AtomicLong();
  private final Map<String, FailureTally> failures = new TreeMap<>();
  private final Map<String, Long> groupCounts = new TreeMap<>();

  private static final class FailureTally {
    long count;
    final Map<String, Long> seen = new TreeMap<>();
    final List<String> examples = new ArrayList<>();
  }

  public void wsFramesSent(int n) {
    wsFrames.addAndGet(n);
  }

  /** A request sent again because its pooled connection was closed before any answer (counted, shown in the summary). */
  public void retried() {
    retries.incrementAndGet();
  }

  public void slowConnections(int n) {
    slow.addAndGet(n);
  }

  /** Counts one request (or answered WebSocket frame) and judges it. */
  public void record(String group, String kase, String request, Outcome o, Expect expect) {
    requests.incrementAndGet();
    synchronized (groupCounts) {
      groupCounts.merge(group, 1L, Long::sum);
    }
    int st = o.status;
    boolean statusLike = o.kind == Kind.HTTP || o.kind == Kind.WS_TEXT;
    if (statusLike && st >= 200 && st < 300) {
      s2xx.incrementAndGet();
    } else if (statusLike && st >= 400 && st < 500) {
      s4xx.incrementAndGet();
    } else if (statusLike && st == 503 && (o.retryAfter || o.kind == Kind.WS_TEXT)) {
      pushBack.incrementAndGet();
    } else if (statusLike && st >= 500) {
      s5xx.incrementAndGet();
    } else if (o.kind == Kind.CLOSED || o.kind == Kind.WS_CLOSE || o.kind == Kind.NON_HTTP) {
      closed.incrementAndGet();
    } else if (o.kind == Kind.TIMEOUT) {
      unanswered.incrementAndGet();
    }
    if (o.kind != Kind.TIMEOUT) {
      slowestAnswerMs.accumulateAndGet(o.millis, Math::max);
    }
    String why = null;
    if (o.kind == Kind.TIMEOUT) {
      why = "unanswered after its deadline";
    } else if (statusLike && st >= 500 && !(st == 503 && (o.retryAfter || o.kind == Kind.WS_TEXT))) {
      why = "server error " + st;
    } else if (o.kind == Kind.WS_CLOSE && st == 1011) {
      why = "WebSocket closed with 1011 (internal error)";
    } else if (!expect.accepts().test(o)) {
      why = "expected " + expect.says();
    }
    if (why != null) {
      String key = group + " / " + kase + ": " + why;
      synchronized (failures) {
        FailureTally f = failures.computeIfAbsent(key, k -> new FailureTally());
        f.count++;
        f.seen.merge(o.label(), 1L, Long::sum);
        if (f.examples.size() < 2) {
          f.examples.add(clip(request, 160) + " -> " + o.label() + " in " + o.millis + " ms: " + clip(o.detail, 240));
        }
      }
    }
  }

  /** A failure that is not about one request (forbidden writes, heap, liveness, the event path). */
  public void fail(String group, String what) {
    synchronized (failures) {
      failures.computeIfAbsent(group + ": " + what, k -> new FailureTally()).count++;
    }
  }

  public long failureCount() {
    synchronized (failures) {
      return failures.values().stream().mapToLong(f -> f.count).sum();
    }
  }

  public long requests() {
    return requests.get();
  }

  public String summary(long forbiddenWrites, double heapMaxMb) {
    return String.format("hostile-input: requests=%d ws_frames=%d slow_connections=%d status_2xx=%d 4xx=%d 5xx=%d "
        + "503_retry_after=%d closed=%d unanswered=%d retried_on_closed_keepalive=%d slowest_answer_ms=%d forbidden_writes=%d heap_max_mb=%.0f failures=%d",
      requests.get(), wsFrames.get(), slow.get(), s2xx.get(), s4xx.get(), s5xx.get(), pushBack.get(), closed.get(),
      unanswered.get(), retries.get(), slowestAnswerMs.get(), forbiddenWrites, heapMaxMb, failureCount());
  }

  /** Failures grouped by case, with what came back and up to two examples each. */
  public String report() {
    StringBuilder out = new StringBuilder("hostile-input per group: ").append(groupCounts).append('\n');
    synchronized (failures) {
      failures.forEach((key, f) -> {
        out.append("  FAIL [").append(concern(key)).append("] ").append(key).append(" x").append(f.count);
        if (!f.seen.isEmpty()) {
          out.append(" seen=").append(f.seen);
        }
        out.append('\n');
        f.examples.forEach(e -> out.append("      e.g. ").append(e).append('\n'));
      });
    }
    return out.toString();
  }

  /** Which promise (and so which fix) a failure is about, to route it. */
  static String concern(String key) {
    String k = key.toLowerCase(java.util.Locale.ROOT);
    if (k.contains("utf16")) {
      return "produce parser: non-UTF-8 body";
    } else if (k.contains("utf8")) {
      return "UTF-8 validation";
    } else if (k.contains("reserved-header")) {
      return "reserved headers 422";
    } else if (k.contains("topic") || k.contains("keys-") || k.contains("forbidden-writes") || k.contains("consumer-offsets")
      || k.contains("transaction-state") || k.contains("internal-new")) {
      return "forbidden topics 403";
    } else if (k.startsWith("operator-")) {
      return "operator body validation";
    } else if (k.contains("1011")) {
      return "WebSocket close codes";
    } else if (k.startsWith("bridge")) {
      return "event-bus bridge";
    } else if (k.startsWith("ws-connections")) {
      return "WebSocket connection cap";
    } else if (k.startsWith("slowloris") || k.startsWith("protocol") || k.startsWith("nesting") || k.startsWith("huge-")) {
      return "HTTP limits and stream-read constraints";
    }
    return "liveness and the rest";
  }

  public static String clip(String s, int max) {
    if (s == null) {
      return "";
    }
    String flat = s.replace("\r", "\\r").replace("\n", "\\n");
    return flat.length() > max ? flat.substring(0, max) + "…(" + flat.length() + " chars)" : flat;
  }
}

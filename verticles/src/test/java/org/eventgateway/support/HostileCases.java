package org.eventgateway.support;

import org.eventgateway.support.HostileTally.Expect;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The hostile inputs, generated from a seeded {@link Random}, each with what the gateway must answer.
 * Topic rules: dead-letter and internal topics are refused with 403; a name outside the allow-list
 * 403 (or 404 while unknown topics are simply missing); an invalid name some 4xx. The gateway's own
 * record headers are reserved (422). Operator bodies of a wrong type or range are 400/422.
 */
public final class HostileCases {
  private HostileCases() {}

  /** One request for the JDK client. */
  public record Http(String group, String kase, String method, String path, String contentType, byte[] body,
                     List<String> headers, Expect expect) {
    public Http(String group, String kase, String method, String path, String contentType, byte[] body, Expect expect) {
      this(group, kase, method, path, contentType, body, List.of(), expect);
    }

    public String describe() {
      return method + " " + path + (body == null ? "" : " " + HostileTally.clip(new String(body, StandardCharsets.ISO_8859_1), 100));
    }
  }

  /** Bytes for a raw socket. */
  public record Raw(String group, String kase, byte[] bytes, Expect expect) {}

  /** A topic name to try, and what produce, the keys report and a WebSocket frame must answer. */
  public record Topic(String kase, String name, String pathSegment, Expect produce, boolean forbidden) {}

  public static final String JSON = "application/json";

  public static String order(String id) {
    return "{\"key\":\"c-1\",\"id\":\"" + id + "\",\"value\":{\"order_id\":\"" + id + "\",\"customer\":\"c-1\",\"sku\":\"s-1\","
      + "\"qty\":1,\"amount\":5.0}}";
  }

  public static String body(String... records) {
    return "{\"records\":[" + String.join(",", records) + "]}";
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static Expect lenient() {
    return Expect.status(200, 400, 413, 422);
  }

  /** Bit flips, byte swaps, truncations, insertions and duplicated fields of a valid produce body. */
  public static List<Http> mutations(Random r, String topic, int n) {
    List<Http> out = new ArrayList<>();
    String path = "/topics/" + topic;
    for (int i = 0; i < n; i++) {
      String id = "m-" + i;
      String valid = body(order(id), "{\"key\":7,\"id\":\"" + id + "-b\",\"value\":{\"a\":[1,2,{\"b\":null}],\"s\":\"x\\u00e9\"},"
        + "\"headers\":[{\"key\":\"h1\",\"value\":\"aGk=\"}]}");
      byte[] b = utf8(valid);
      String kase;
      switch (r.nextInt(7)) {
        case 0 -> {
          kase = "bit-flip";
          for (int k = 1 + r.nextInt(3); k > 0; k--) {
            int at = r.nextInt(b.length);
            b[at] ^= (byte) (1 << r.nextInt(8));
          }
        }
        case 1 -> {
          kase = "truncated";
          b = java.util.Arrays.copyOf(b, r.nextInt(b.length));
        }
        case 2 -> {
          kase = "random-byte";
          b[r.nextInt(b.length)] = (byte) new int[] {0x00, 0xff, 0xc0, 0x80, '"', '\\', '{', ']', ',', ':'}[r.nextInt(10)];
        }
        case 3 -> {
          kase = "duplicated-field";
          String[] fields = {"\"value\":{\"x\":1},", "\"id\":\"dup\",", "\"key\":\"k\",", "\"headers\":[],", "\"partition\":0,"};
          String f = fields[r.nextInt(fields.length)];
          b = utf8(valid.replace("{\"key\":\"c-1\",", "{\"key\":\"c-1\"," + f + f));
        }
        case 4 -> {
          kase = "duplicated-records";
          b = utf8(valid.substring(0, valid.length() - 1) + ",\"records\":[" + order(id + "-c") + "]}");
        }
        case 5 -> {
          kase = "deleted-span";
          int from = r.nextInt(b.length);
          int len = 1 + r.nextInt(Math.min(8, b.length - from));
          byte[] cut = new byte[b.length - len];
          System.arraycopy(b, 0, cut, 0, from);
          System.arraycopy(b, from + len, cut, from, b.length - from - len);
          b = cut;
        }
        default -> {
          kase = "inserted-junk";
          int at = r.nextInt(b.length);
          String junk = new String[] {"{", "[", "\"", "\\u", "1e999", "null,", "]]", "\u0000", "\ud83d"}[r.nextInt(9)];
          b = utf8(valid.substring(0, Math.min(at, valid.length())) + junk + valid.substring(Math.min(at, valid.length())));
        }
      }
      out.add(new Http("mutated-body", kase, "POST", path, JSON, b, lenient()));
    }
    return out;
  }

  private static String repeat(String s, int n) {
    return s.repeat(n);
  }

  /** Deep nesting, invalid UTF-8, huge numbers and strings, content types and sizes. */
  public static List<Http> bodies(String topic) {
    List<Http> out = new ArrayList<>();
    String path = "/topics/" + topic;
    for (int depth : new int[] {100, 900, 5_000, 100_000}) {
      Expect e = depth >= 5_000 ? Expect.status(400, 413, 422) : lenient();
      out.add(new Http("nesting", "value-arrays-" + depth, "POST", path, JSON,
        utf8(body("{\"id\":\"n-a" + depth + "\",\"value\":{\"a\":" + repeat("[", depth) + repeat("]", depth) + "}}")), e));
      out.add(new Http("nesting", "value-objects-" + depth, "POST", path, JSON,
        utf8(body("{\"id\":\"n-o" + depth + "\",\"value\":" + repeat("{\"a\":", depth) + "1" + repeat("}", depth) + "}")), e));
      out.add(new Http("nesting", "outside-records-" + depth, "POST", path, JSON,
        utf8("{\"x\":" + repeat("[", depth) + repeat("]", depth) + ",\"records\":[" + order("n-x" + depth) + "]}"), e));
      out.add(new Http("nesting", "headers-" + depth, "POST", path, JSON,
        utf8(body("{\"value\":{},\"headers\":" + repeat("[", depth) + repeat("]", depth) + "}")), Expect.status(400, 413, 422)));
      out.add(new Http("nesting", "unclosed-" + depth, "POST", path, JSON, utf8("{\"records\":" + repeat("[", depth)),
        Expect.status(400, 413, 422)));
    }
    byte[][] badUtf8 = {{(byte) 0xff}, {(byte) 0xc0, (byte) 0xaf}, {(byte) 0xed, (byte) 0xa0, (byte) 0x80},
      {(byte) 0xe2, (byte) 0x82}, {(byte) 0xf8, (byte) 0x88, (byte) 0x80, (byte) 0x80, (byte) 0x80}, {(byte) 0xfe}};
    String[] places = {"value-string", "key", "id", "field-name", "header-key", "top-level"};
    for (int i = 0; i < badUtf8.length; i++) {
      for (String place : places) {
        String mark = "\u0001";
        String template = switch (place) {
          case "value-string" -> body("{\"value\":{\"s\":\"a" + mark + "b\"}}");
          case "key" -> body("{\"key\":\"" + mark + "\",\"value\":{}}");
          case "id" -> body("{\"id\":\"u" + mark + "\",\"value\":{}}");
          case "field-name" -> body("{\"value\":{\"" + mark + "\":1}}");
          case "header-key" -> body("{\"value\":{},\"headers\":[{\"key\":\"" + mark + "\",\"value\":\"aGk=\"}]}");
          default -> "{\"" + mark + "\":1,\"records\":[" + order("u-top") + "]}";
        };
        out.add(new Http("invalid-utf8", place, "POST", path, JSON, splice(template, mark, badUtf8[i]), Expect.status(400, 422)));
      }
    }
    String digits = repeat("9", 5_000);
    String[][] numbers = {{"qty-1e400", "1e400"}, {"qty-neg-1e400", "-1e400"}, {"qty-1e-400", "1e-400"}, {"qty-3e9", "3000000000"},
      {"qty-500-digits", repeat("7", 500)}, {"qty-5000-digits", digits}, {"qty-fraction-5000", "0." + digits},
      {"qty-exp-huge", "1e99999999999"}, {"qty-neg-zero", "-0"}};
    for (String[] num : numbers) {
      out.add(new Http("huge-numbers", num[0], "POST", path, JSON, utf8(body("{\"value\":{\"qty\":" + num[1] + "}}")), lenient()));
      out.add(new Http("huge-numbers", "key-" + num[0], "POST", path, JSON, utf8(body("{\"key\":" + num[1] + ",\"value\":{}}")), lenient()));
    }
    out.add(new Http("huge-numbers", "qty-100k-digits", "POST", path, JSON,
      utf8(body("{\"value\":{\"qty\":" + repeat("1", 100_000) + "}}")), Expect.status(400, 413, 422)));
    for (String p : new String[] {"99999999999", "1e2", "-1", "1.5", "\"0\"", "99999999999999999999999"}) {
      out.add(new Http("huge-numbers", "partition-" + p, "POST", path, JSON, utf8(body("{\"partition\":" + p + ",\"value\":{}}")),
        Expect.status(400, 422)));
    }
    out.add(new Http("huge-strings", "value-string-900k", "POST", path, JSON,
      utf8(body("{\"value\":{\"s\":\"" + repeat("x", 900_000) + "\"}}")), lenient()));
    out.add(new Http("huge-strings", "id-300", "POST", path, JSON, utf8(body("{\"id\":\"" + repeat("i", 300) + "\",\"value\":{}}")),
      Expect.status(422)));
    out.add(new Http("huge-strings", "field-name-500k", "POST", path, JSON,
      utf8(body("{\"value\":{\"" + repeat("f", 500_000) + "\":1}}")), lenient()));
    out.add(new Http("huge-strings", "body-2mb", "POST", path, JSON, utf8(body("{\"value\":{\"s\":\"" + repeat("x", 2_000_000) + "\"}}")),
      Expect.status(413)));
    out.add(new Http("huge-strings", "1001-records", "POST", path, JSON,
      utf8(body(java.util.Collections.nCopies(1001, "{\"value\":{}}").toArray(new String[0]))), Expect.status(413)));
    String ok = body(order("ct-1"));
    for (String ct : new String[] {"text/plain", "", "multipart/form-data; boundary=x", "application/xml", "application/json-seq",
      "*/*", "application/x-www-form-urlencoded"}) {
      out.add(new Http("content-type", "type-" + (ct.isEmpty() ? "none" : ct.split("[;/]")[1]), "POST", path, ct.isEmpty() ? null : ct,
        utf8(ok), Expect.status(415)));
    }
    out.add(new Http("content-type", "empty-body", "POST", path, JSON, new byte[0], Expect.status(400)));
    out.add(new Http("content-type", "utf16-body", "POST", path, "application/json; charset=utf-16",
      ok.getBytes(StandardCharsets.UTF_16), Expect.status(400, 415, 422)));
    for (String shape : new String[] {"[]", "null", "1", "\"records\"", "{\"records\":{}}", "{\"records\":null}", "{\"records\":[]}",
      "{\"records\":[1]}", "{\"records\":[{\"value\":[]}]}", "{\"records\":[{\"value\":\"x\"}]}", "{\"records\":[{}]}",
      "{\"records\":[{\"value\":{},\"headers\":{}}]}", "{\"records\":[{\"value\":{},\"headers\":[{\"key\":1}]}]}",
      "{\"records\":[{\"value\":{},\"headers\":[{\"key\":\"h\",\"value\":\"***\"}]}]}", "{\"records\":[{\"value\":{},\"id\":\"\"}]}",
      "{\"records\":[{\"value\":{},\"key\":{}}]}", "{}  {}", "{\"records\":[" + order("tail") + "]}x"}) {
      out.add(new Http("body-shape", shape.length() > 24 ? shape.substring(0, 24) : shape, "POST", path, JSON, utf8(shape),
        Expect.status(400, 422)));
    }
    return out;
  }

  private static byte[] splice(String template, String mark, byte[] bad) {
    byte[] t = utf8(template);
    int at = RawHttp.indexOf(t, utf8(mark));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(t, 0, at);
    out.write(bad, 0, bad.length);
    out.write(t, at + 1, t.length - at - 1);
    return out.toByteArray();
  }

  /** Odd, internal, dead-letter and unconfigured topic names (all but the dead letters carry the test's suffix). */
  public static List<Topic> topics(String topic, List<String> dlqTopics, String suffix) {
    List<Topic> out = new ArrayList<>();
    Expect forbidden = Expect.status(403);
    Expect refused = Expect.status(403, 404);
    Expect invalid = Expect.clientError();
    out.add(new Topic("consumer-offsets", "__consumer_offsets", "__consumer_offsets", forbidden, true));
    out.add(new Topic("transaction-state", "__transaction_state", "__transaction_state", forbidden, true));
    out.add(new Topic("internal-new", "__hostile-" + suffix, "__hostile-" + suffix, forbidden, true));
    dlqTopics.forEach(d -> out.add(new Topic("dlq-topic", d, d, forbidden, true)));
    out.add(new Topic("unconfigured", "not-configured-" + suffix, "not-configured-" + suffix, refused, false));
    out.add(new Topic("unconfigured-dlq-like", topic + ".other-" + suffix + ".dlq", topic + ".other-" + suffix + ".dlq", refused, false));
    out.add(new Topic("unconfigured-249", suffix + "a".repeat(241), suffix + "a".repeat(241), refused, false));
    out.add(new Topic("dot-dot", "..", "..", invalid, false));
    out.add(new Topic("dot", ".", ".", invalid, false));
    out.add(new Topic("encoded-dot-dot", "..", "%2e%2e", invalid, false));
    out.add(new Topic("encoded-traversal", "../" + topic, "..%2f" + topic, invalid, false));
    out.add(new Topic("encoded-slash", topic + "/x", topic + "%2Fx", invalid, false));
    out.add(new Topic("unicode", "ördérs-" + suffix, "%C3%B6rd%C3%A9rs-" + suffix, invalid, false));
    out.add(new Topic("emoji", "\ud83d\ude00-" + suffix, "%F0%9F%98%80-" + suffix, invalid, false));
    out.add(new Topic("300-chars", suffix + "t".repeat(292), suffix + "t".repeat(292), invalid, false));
    out.add(new Topic("space", "a " + suffix, "a%20" + suffix, invalid, false));
    out.add(new Topic("nul", "a\u0000" + suffix, "a%00" + suffix, invalid, false));
    out.add(new Topic("backslash", "a\\" + suffix, "a%5C" + suffix, invalid, false));
    return out;
  }

  public static final List<String> RESERVED_HEADERS = List.of("event-id", "original-key", "key-salt", "redrive-count",
    "dlq-original-topic", "dlq-original-partition", "dlq-original-offset", "dlq-consumer-group", "dlq-exception-message",
    "dlq-attempts", "dlq-anything");

  public static final List<String> BAD_TRACEPARENTS = List.of("garbage", "00-", "00-" + "0".repeat(32) + "-" + "0".repeat(16) + "-01",
    "ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-extra",
    "00-zzf7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", "00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01",
    "0".repeat(4_000), "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01,00-1af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
    " ", "00-0AF7651916CD43DD8448EB211C80319C-B7AD6B7169203331-01", "${jndi:ldap://x/a}", "'; DROP TABLE orders; --");

  private static final String[] WRONG = {"\"x\"", "null", "{}", "[]", "-1", "1.5", "true", "99999999999999999999999", "\"\""};

  /** {kase, body, strict}: strict bodies must be refused with 400/422; the others only answered. */
  public static List<String[]> redriveBodies() {
    List<String[]> out = new ArrayList<>();
    for (String w : WRONG) {
      out.add(new String[] {"offsets=" + w, "{\"offsets\":" + w + "}", "strict"});
      if (!w.equals("\"\"") && !w.equals("\"x\"")) {
        out.add(new String[] {"ids=" + w, "{\"ids\":" + w + "}", "strict"});
      }
      if (!w.equals("true")) {
        out.add(new String[] {"all=" + w, "{\"all\":" + w + "}", "strict"});
        out.add(new String[] {"dryRun=" + w, "{\"all\":true,\"dryRun\":" + w + "}", "strict"});
      }
      boolean hugeOk = w.startsWith("999");
      out.add(new String[] {"maxRedrives=" + w, "{\"all\":true,\"dryRun\":true,\"maxRedrives\":" + w + "}", hugeOk ? "lenient" : "strict"});
    }
    for (String arr : new String[] {"[null,1,{}]", "[-1]", "[\"x\"]", "[1.5]", "[99999999999999999999]", "[[]]", "[{}]", "[true]"}) {
      out.add(new String[] {"offsets=" + arr, "{\"offsets\":" + arr + "}", "strict"});
    }
    for (String arr : new String[] {"[null,1,{}]", "[1]", "[{}]", "[[]]", "[true]", "[null]"}) {
      out.add(new String[] {"ids=" + arr, "{\"ids\":" + arr + "}", "strict"});
    }
    for (String body : new String[] {"[]", "\"x\"", "1", "null", "true", "{", "{\"all\":true", "[".repeat(5_000)}) {
      out.add(new String[] {"body=" + HostileTally.clip(body, 12), body, "strict"});
    }
    out.add(new String[] {"maxRedrives=1000000", "{\"all\":true,\"dryRun\":true,\"maxRedrives\":1000000}", "lenient"});
    out.add(new String[] {"empty-object", "{}", "lenient"});
    out.add(new String[] {"unknown-field", "{\"all\":true,\"dryRun\":true,\"bogus\":1}", "lenient"});
    out.add(new String[] {"offsets-50k", "{\"dryRun\":true,\"offsets\":[" + "0,".repeat(50_000) + "0]}", "lenient"});
    out.add(new String[] {"control", "{\"all\":true,\"dryRun\":true}", "accepted"});
    return out;
  }

  /** {kase, body, strict}, as {@link #redriveBodies()}, for POST /groups/{group}/replay. */
  public static List<String[]> replayBodies() {
    List<String[]> out = new ArrayList<>();
    for (String w : WRONG) {
      out.add(new String[] {"mode=" + w, "{\"mode\":" + w + "}", "strict"});
      String rightType = w.equals("null") || w.equals("{}") ? "lenient" : "strict"; // absent, or an object with the defaults
      out.add(new String[] {"from=" + w, "{\"mode\":\"shadow\",\"from\":" + w + "}", rightType});
      out.add(new String[] {"to=" + w, "{\"mode\":\"shadow\",\"to\":" + w + "}", rightType});
      out.add(new String[] {"from.timestamp=" + w, "{\"mode\":\"shadow\",\"from\":{\"timestamp\":" + w + "}}", "strict"});
      out.add(new String[] {"to.timestamp=" + w, "{\"mode\":\"shadow\",\"to\":{\"timestamp\":" + w + "}}", "strict"});
      out.add(new String[] {"from.offsets.0=" + w, "{\"mode\":\"shadow\",\"from\":{\"offsets\":{\"0\":" + w + "}}}", "strict"});
      out.add(new String[] {"apply.from.offsets=" + w, "{\"mode\":\"apply\",\"pauseGroup\":true,\"from\":{\"offsets\":" + w + "}}",
        w.equals("{}") ? "lenient" : "strict"});
      out.add(new String[] {"apply.from.offsets.0=" + w,
        "{\"mode\":\"apply\",\"pauseGroup\":true,\"from\":{\"offsets\":{\"0\":" + w + "}}}", "strict"});
      if (!w.equals("true")) {
        out.add(new String[] {"pauseGroup=" + w, "{\"mode\":\"apply\",\"pauseGroup\":" + w + "}", "strict"});
      }
      out.add(new String[] {"maxEvents=" + w, "{\"mode\":\"shadow\",\"maxEvents\":" + w + "}", w.startsWith("999") ? "lenient" : "strict"});
    }
    out.add(new String[] {"from.offsets.unknown-partition", "{\"mode\":\"shadow\",\"from\":{\"offsets\":{\"999\":0}}}", "strict"});
    out.add(new String[] {"from.offsets.not-a-partition", "{\"mode\":\"shadow\",\"from\":{\"offsets\":{\"x\":0}}}", "strict"});
    out.add(new String[] {"apply.from.offsets.unknown-partition",
      "{\"mode\":\"apply\",\"pauseGroup\":true,\"from\":{\"offsets\":{\"999\":0}}}", "strict"});
    out.add(new String[] {"to-before-from.timestamp", "{\"mode\":\"shadow\",\"from\":{\"timestamp\":2000},\"to\":{\"timestamp\":1000}}", "strict"});
    out.add(new String[] {"to-before-from.offsets", "{\"mode\":\"shadow\",\"from\":{\"offsets\":{\"0\":5}},\"to\":{\"offsets\":{\"0\":1}}}", "strict"});
    out.add(new String[] {"apply-with-to", "{\"mode\":\"apply\",\"pauseGroup\":true,\"to\":{\"timestamp\":1}}", "strict"});
    for (String body : new String[] {"[]", "\"x\"", "1", "null", "true", "{", "{\"mode\":\"shadow\"", "[".repeat(5_000)}) {
      out.add(new String[] {"body=" + HostileTally.clip(body, 12), body, "strict"});
    }
    out.add(new String[] {"unknown-field", "{\"mode\":\"shadow\",\"maxEvents\":1,\"bogus\":1}", "lenient"});
    out.add(new String[] {"control", "{\"mode\":\"shadow\",\"maxEvents\":10}", "accepted"});
    return out;
  }

  public static final List<String> ROUTES = List.of("/topics/x", "/topics/x/keys", "/dlq/g", "/dlq/g/redrive", "/dlq/g/tasks/x",
    "/groups/g/replay", "/groups/g/replay/x", "/lag", "/ready", "/health", "/metrics", "/ws/ingest", "/ws/lag", "/eventbus/info", "/",
    "/index.html", "/nope");

  public static final List<String> METHODS = List.of("GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD", "TRACE");

  /** Request targets that try to leave webroot/ or confuse the router, sent as they are. */
  public static final List<String> TRAVERSALS = List.of("/../config/gateway.json", "/../../../../../../etc/passwd",
    "/%2e%2e/config/gateway.json", "/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd", "/..%2fconfig%2fgateway.json",
    "/%2e%2e%2fconfig%2fgateway.json", "/..%5cconfig%5cgateway.json", "/..\\config\\gateway.json",
    "/index.html/../../config/gateway.json", "/webroot/../config/gateway.json", "/%252e%252e/config/gateway.json",
    "/%c0%ae%c0%ae/config/gateway.json", "/....//config/gateway.json", "/./././index.html", "//etc/passwd", "/pom.xml",
    "/config/gateway.json", "/org/eventgateway/Main.class", "/log4j2.xml", "/.git/config", "/README.md", "/%00", "/index.html%00.txt",
    "/topics/%ZZ", "/%", "/dlq/%C0%AE", "/app.js?../../config/gateway.json", "/;/../config/gateway.json",
    "/groups/..%2f..%2fconfig/replay", "/metrics/../../config/gateway.json", "http://127.0.0.1/../config/gateway.json",
    "../config/gateway.json", "*", "/ws/../config/gateway.json", "/eventbus/../../config/gateway.json",
    "/eventbus/info/../../../pom.xml", "/%2e%2e/%2e%2e/pom.xml", "/static/..%252f..%252fpom.xml", "/" + "a/".repeat(500),
    "/topics/x?" + "a=1&".repeat(500));

  /** What a leaked file would contain. */
  public static final List<String> LEAK_MARKERS = List.of("bootstrapServers", "<artifactId>", "root:x:0:0", "package org.eventgateway",
    "<Configuration", "[core]", "repositoryformatversion");

  /** Broken HTTP/1.1, header floods and smuggling attempts: a 4xx or a closed connection, never a 5xx or a hang. */
  public static List<Raw> protocol(String topic) {
    String host = "Host: 127.0.0.1\r\n";
    String post = "POST /topics/" + topic + " HTTP/1.1\r\n" + host + "Content-Type: application/json\r\n";
    String ok = body(order("p-1"));
    List<Raw> out = new ArrayList<>();
    Expect bad = Expect.clientError().orClosed();
    Expect any = Expect.answered().orClosed();
    java.util.function.BiConsumer<String, String> add = (k, req) -> out.add(new Raw("protocol", k, req.getBytes(StandardCharsets.ISO_8859_1), bad));
    java.util.function.BiConsumer<String, String> addAny = (k, req) -> out.add(new Raw("protocol", k, req.getBytes(StandardCharsets.ISO_8859_1), any));
    add.accept("bare-method", "GET\r\n\r\n");
    add.accept("http-0.9", "GET /\r\n\r\n");
    addAny.accept("no-host", "GET /health HTTP/1.1\r\n\r\n");
    addAny.accept("unknown-method", "FOO /health HTTP/1.1\r\n" + host + "\r\n");
    addAny.accept("lowercase-method", "get /health HTTP/1.1\r\n" + host + "\r\n");
    add.accept("version-9.9", "GET /health HTTP/9.9\r\n" + host + "\r\n");
    add.accept("version-garbage", "GET /health HTTQ/1.1\r\n" + host + "\r\n");
    addAny.accept("absolute-form", "GET http://evil.example/health HTTP/1.1\r\nHost: evil.example\r\n\r\n");
    add.accept("uri-100k", "GET /" + "a".repeat(100_000) + " HTTP/1.1\r\n" + host + "\r\n");
    add.accept("header-16k", "GET /health HTTP/1.1\r\n" + host + "X-Big: " + "v".repeat(16_384) + "\r\n\r\n");
    add.accept("header-1m", "GET /health HTTP/1.1\r\n" + host + "X-Big: " + "v".repeat(1_000_000) + "\r\n\r\n");
    add.accept("headers-2000", "GET /health HTTP/1.1\r\n" + host + "X-h: v\r\n".repeat(2_000) + "\r\n");
    addAny.accept("headers-100", "GET /health HTTP/1.1\r\n" + host + "X-h: v\r\n".repeat(100) + "\r\n");
    add.accept("header-name-space", "GET /health HTTP/1.1\r\n" + host + "Bad Header: x\r\n\r\n");
    add.accept("header-no-colon", "GET /health HTTP/1.1\r\n" + host + "NoColon\r\n\r\n");
    addAny.accept("obs-fold", "GET /health HTTP/1.1\r\n" + host + "X-A: a\r\n  folded\r\n\r\n");
    addAny.accept("nul-in-header", "GET /health HTTP/1.1\r\n" + host + "X-A: a\u0000b\r\n\r\n");
    addAny.accept("latin1-in-header", "GET /health HTTP/1.1\r\n" + host + "X-A: \u00ff\u00fe\r\n\r\n");
    addAny.accept("bare-lf", "GET /health HTTP/1.1\n" + host.replace("\r", "") + "\n");
    add.accept("cl-and-te", post + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
    add.accept("two-cl", post + "Content-Length: 5\r\nContent-Length: 6\r\n\r\n123456");
    add.accept("cl-negative", post + "Content-Length: -1\r\n\r\n");
    add.accept("cl-huge", post + "Content-Length: 99999999999999999999\r\n\r\n");
    add.accept("cl-over-limit", post + "Content-Length: 5000000\r\n\r\n" + ok);
    add.accept("chunk-size-garbage", post + "Transfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n");
    add.accept("chunk-size-huge", post + "Transfer-Encoding: chunked\r\n\r\nffffffffffffffff\r\nabc\r\n0\r\n\r\n");
    add.accept("te-unknown", post + "Transfer-Encoding: gzip, identity\r\n\r\n" + ok);
    add.accept("ws-bad-version", "GET /ws/ingest HTTP/1.1\r\n" + host + "Upgrade: websocket\r\nConnection: Upgrade\r\n"
      + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 99\r\n\r\n");
    add.accept("ws-no-key", "GET /ws/ingest HTTP/1.1\r\n" + host + "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n\r\n");
    add.accept("ws-post-upgrade", "POST /ws/ingest HTTP/1.1\r\n" + host + "Upgrade: websocket\r\nConnection: Upgrade\r\n"
      + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nContent-Length: 0\r\n\r\n");
    add.accept("ws-lag-no-upgrade-headers", "GET /ws/lag HTTP/1.1\r\n" + host + "Upgrade: websocket\r\n\r\n");
    add.accept("ws-ingest-no-upgrade-headers", "GET /ws/ingest HTTP/1.1\r\n" + host + "Upgrade: websocket\r\n\r\n");
    addAny.accept("h2c-upgrade", "GET /health HTTP/1.1\r\n" + host + "Upgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n"
      + "Connection: Upgrade, HTTP2-Settings\r\n\r\n");
    addAny.accept("h2-preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
    addAny.accept("pipelined-50", ("GET /health HTTP/1.1\r\n" + host + "\r\n").repeat(50));
    addAny.accept("content-encoding-gzip-junk", post + "Content-Encoding: gzip\r\nContent-Length: 10\r\n\r\n0123456789");
    Random r = new Random(7);
    byte[] junk = new byte[4096];
    r.nextBytes(junk);
    out.add(new Raw("protocol", "random-bytes", junk, bad));
    byte[] hello = new byte[5_000]; // a TLS record header, then more than a request line may hold
    r.nextBytes(hello);
    System.arraycopy(new byte[] {0x16, 0x03, 0x01, 0x13, (byte) 0x83, 0x01, 0x00, 0x13, 0x7f, 0x03, 0x03}, 0, hello, 0, 11);
    out.add(new Raw("protocol", "tls-client-hello", hello, bad));
    return out;
  }
}

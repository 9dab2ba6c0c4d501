package org.eventgateway.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The cost of JSON Schema validation on the produce hot path: the produce stage's single-record and 1 KB ×
 * 100-per-request workloads against a gateway whose topics declare no schema and against one whose topics declare
 * one with {@code validation: reject}, the same topic layout otherwise, each reported as a rate beside the other's,
 * the ratio on / off with the range of the ratios of runs measured back to back, and (in the notes) the gateway's
 * CPU per record on each side. The target, at 100 records per request, is a ratio of 0.8 or more.
 *
 * <p>The schema is the shipped config/schemas/orders/1.json (types, required fields, bounds, {@code multipleOf: 0.01},
 * {@code additionalProperties: false}) with a required {@code pad} string bounded by {@code maxLength}, written for
 * the run into a temp dir. Both sides send the same values, orders with their pad ({@link BodyTemplate.Values#ORDERS}),
 * about 1 KB a record as in the produce stage. Before measuring, the validating gateway must refuse with 422 a value
 * breaking each kind of rule, on each of its topics, and both sides must accept a value as the loads send it:
 * otherwise the "on" rows would measure nothing, or refusals. As in {@link AuthStage}, the gateways run side by side,
 * each warmed up until the JIT settles, then their measured runs alternate (off, on, then on, off, …).
 */
final class SchemaStage {
  /** validation on / off at 100 records per request. */
  static final double TARGET = 0.8;
  /** The shipped schema the bench's is made from (bench/run runs from the repository's root). */
  private static final Path SHIPPED = Path.of("config", "schemas", "orders", "1.json");
  /** The pad's maxLength: a value stays about 1 KB. */
  private static final int PAD_MAX = 1024;

  private final BenchContext context;
  /** Requests the validating gateway refused in the checks: what its violations counter must read afterwards. */
  private int refused;

  SchemaStage(BenchContext context) {
    this.context = context;
  }

  /** A gateway of the stage: its label, slug (for topics) and process. */
  private record Side(String label, String slug, GatewayProcess gateway) {
    /** E.g. gw-schema-on-100: the side's topic for a workload. */
    String topic(ProduceStages.Workload workload) {
      return topic(slug, workload);
    }

    static String topic(String slug, ProduceStages.Workload workload) {
      return "gw-schema-" + slug + "-" + workload.perRequest();
    }
  }

  void run() throws Exception {
    BenchOptions options = context.options;
    List<ProduceStages.Workload> workloads = List.of(ProduceStages.single(options), ProduceStages.kilobyteBatches(options));
    Path dir = Files.createTempDirectory("bench-schema");
    List<GatewayProcess> gateways = new ArrayList<>();
    try {
      JsonObject schema = writeSchema(dir);
      List<String> topics = new ArrayList<>();
      JsonObject offTopics = new JsonObject();
      JsonObject onTopics = new JsonObject();
      for (ProduceStages.Workload workload : workloads) {
        // Created here first, so neither gateway creates them; declared alike on both sides, the schema apart.
        topics.add(Side.topic("off", workload));
        topics.add(Side.topic("on", workload));
        offTopics.put(Side.topic("off", workload), layout());
        onTopics.put(Side.topic("on", workload), layout().put("schema", new JsonObject().put("dir", dir.toAbsolutePath().toString())
          .put("versions", 1).put("validation", "reject")));
      }
      context.environment.createTopics(topics);
      GatewayProcess offGateway = context.startGateway(new JsonObject(), offTopics, "schema-off");
      gateways.add(offGateway);
      GatewayProcess onGateway = context.startGateway(new JsonObject(), onTopics, "schema-on");
      gateways.add(onGateway);
      Side off = new Side("validation off", "off", offGateway);
      Side on = new Side("validation on", "on", onGateway);
      checkAccepted(off, workloads.get(0));
      checkAccepted(on, workloads.get(0));
      String sample = describeValues(workloads.get(0));
      String refusals = checkRefuses(on, workloads);
      context.notes().add("schema stage: two gateways side by side, their topics declared alike (" + BenchEnvironment.PARTITIONS
        + " partitions), the \"on\" one's with topics.<t>.schema = {versions 1, validation reject}: the shipped "
        + SHIPPED + " (" + String.join(", ", schema.getJsonArray("required").stream().map(String::valueOf).toList())
        + " required; additionalProperties " + schema.getValue("additionalProperties") + ") plus a required pad string of "
        + "maxLength " + PAD_MAX + ", written to a temp dir; values: " + sample + ", one accepted by each side; the validating "
      + "gateway refused " + refusals
        + "; each workload warmed up on each side, then their measured runs alternating (off, on, then on, off, …)");
      for (ProduceStages.Workload workload : workloads) {
        measure(workload, List.of(off, on));
      }
      double violations = onGateway.metric("gateway_schema_violations_total");
      context.notes().add(String.format("schema stage: gateway_schema_violations_total on the validating gateway after the "
        + "stage: %.0f, for %d requests refused by the checks (%s)", violations, refused,
        violations == refused ? "none among the measured loads" : "CORRECTNESS: loads were refused too"));
      context.checkAcknowledged();
    } finally {
      terminate(gateways);
      deleteTree(dir);
    }
  }

  /** A topic as both sides declare it. */
  private static JsonObject layout() {
    return new JsonObject().put("partitions", BenchEnvironment.PARTITIONS).put("replicationFactor", 1);
  }

  /** {@code dir}/1.json: the shipped orders schema, the pad added as a required string of at most {@link #PAD_MAX}. */
  private static JsonObject writeSchema(Path dir) throws IOException {
    if (!Files.isRegularFile(SHIPPED)) {
      throw new IllegalStateException("no " + SHIPPED.toAbsolutePath() + ": the schema stage makes its schema from the shipped one");
    }
    JsonObject schema = new JsonObject(Files.readString(SHIPPED));
    schema.put("title", "the shipped orders schema, version 1, with the bench's pad");
    schema.getJsonObject("properties").put("pad", new JsonObject().put("type", "string").put("maxLength", PAD_MAX));
    schema.getJsonArray("required").add("pad");
    Files.writeString(dir.resolve("1.json"), schema.encodePrettily());
    return schema;
  }

  /** One request as the single-record load sends it must be 200; its record counts as acknowledged. */
  private void checkAccepted(Side side, ProduceStages.Workload workload) {
    String topic = side.topic(workload);
    String body = new BodyTemplate(context.nextIdPrefix(topic), 1, workload.size(), BodyTemplate.Values.ORDERS).body(0).toString();
    HttpResponse<String> answer = post(side, topic, body);
    if (answer.statusCode() != 200) {
      throw new IllegalStateException("the gateway with " + side.label() + " answered " + answer.statusCode() + " to a value as the "
        + "bench sends it: " + answer.body());
    }
    context.acknowledged(topic, 1);
  }

  /** For the note: "orders of 950 bytes (pad 854 characters), 1,024 bytes a record in the body". */
  private static String describeValues(ProduceStages.Workload workload) {
    BodyTemplate template = new BodyTemplate("gw-schema-on-1-r0", 1, workload.size(), BodyTemplate.Values.ORDERS);
    String body = template.body(0).toString();
    int value = new JsonObject(body).getJsonArray("records").getJsonObject(0).getJsonObject("value").encode().length();
    return String.format("orders of %,d bytes (pad %,d characters), %,d bytes a record in the body", value, template.padLength(),
      body.length() - "{\"records\":[]}".length());
  }

  /**
   * The validating gateway must answer 422, naming the rule, to a single-record request whose value breaks one rule of
   * each kind, and to a 100-record request whose 58th value breaks one (nothing of it produced: the acknowledged
   * counts would show it). Returns what it refused, for the note.
   */
  private String checkRefuses(Side on, List<ProduceStages.Workload> workloads) {
    Map<String, Consumer<JsonObject>> breaking = new LinkedHashMap<>();
    breaking.put("type", v -> v.put("qty", "two"));
    breaking.put("minimum", v -> v.put("qty", 0));
    breaking.put("multipleOf", v -> v.put("amount", 12.345));
    breaking.put("maxLength", v -> v.put("pad", "x".repeat(PAD_MAX + 1)));
    breaking.put("required", v -> v.remove("sku"));
    breaking.put("additionalProperties", v -> v.put("note", "not in the schema"));
    List<String> seen = new ArrayList<>();
    String first = null;
    for (ProduceStages.Workload workload : workloads) {
      String topic = on.topic(workload);
      int perRequest = workload.perRequest();
      int broken = perRequest == 1 ? 0 : 57;
      for (Map.Entry<String, Consumer<JsonObject>> rule : breaking.entrySet()) {
        if (perRequest > 1 && !rule.getKey().equals("multipleOf")) {
          continue; // one rule suffices to show a whole 100-record request refused
        }
        JsonObject body = new JsonObject(new BodyTemplate(context.nextIdPrefix(topic), perRequest, workload.size(),
          BodyTemplate.Values.ORDERS).body(0));
        rule.getValue().accept(body.getJsonArray("records").getJsonObject(broken).getJsonObject("value"));
        HttpResponse<String> answer = post(on, topic, body.encode());
        JsonObject error = answer.statusCode() == 422 ? new JsonObject(answer.body()) : new JsonObject();
        JsonArray violations = error.getJsonArray("violations", new JsonArray());
        boolean named = false;
        for (int i = 0; i < violations.size(); i++) {
          named |= rule.getKey().equals(violations.getJsonObject(i).getString("keyword"));
        }
        if (answer.statusCode() != 422 || !named || error.getInteger("record", -1) != broken) {
          throw new IllegalStateException("the validating gateway answered " + answer.statusCode() + " to records[" + broken + "] of "
            + perRequest + " breaking " + rule.getKey() + " on " + topic + ": " + answer.body() + "; the \"on\" rows would not measure validation");
        }
        refused++;
        seen.add(rule.getKey() + (perRequest > 1 ? " in records[" + broken + "] of " + perRequest : ""));
        first = first == null ? error.getString("message") : first;
      }
    }
    return "with 422 a value breaking each rule (" + String.join(", ", seen) + "), e.g. \"" + first + "\"";
  }

  /** The gateway's answer to a POST of {@code body}; no answer within 3 s is an error. */
  private static HttpResponse<String> post(Side side, String topic, String body) {
    return side.gateway().post("/topics/" + topic, body)
      .orElseThrow(() -> new IllegalStateException("the gateway with " + side.label() + " did not answer a POST to " + topic));
  }

  private void measure(ProduceStages.Workload workload, List<Side> sides) throws Exception {
    List<Interleaved.Arm<Side>> arms = new ArrayList<>();
    for (Side side : sides) {
      arms.add(new Interleaved.Arm<>(side, side.gateway(), side.topic(workload), ClosedLoop.ofOrders(context)));
    }
    Interleaved.measure(context, workload, arms);
    String unit = workload.perRequest() == 1 ? "req/s" : "rec/s";
    Interleaved.Arm<Side> off = arms.get(0);
    Interleaved.Arm<Side> on = arms.get(1);
    String stage = workload.describe() + ", orders of 1 KB, JSON Schema validation on (reject) against off";
    String offRate = "validation off: " + new Spread(off.rates()).format(unit);
    String onRate = "validation on: " + new Spread(on.rates()).format(unit);
    long failed = off.load().failedRequests() + on.load().failedRequests();
    if (failed > 0) {
      // A refused request is cheap: a run with failures says nothing about the cost of a served one.
      context.report.row(stage, offRate, onRate, "not valid: " + failed + " requests failed (see the notes)");
    } else {
      String target = workload.perRequest() == 1 ? "no target at 1 per request" : "target ≥ " + TARGET;
      context.report.row(stage, offRate, onRate, new Spread(on.rates()).ratioTo(new Spread(off.rates())) + " (" + target
        + "; back-to-back pairs " + Spread.pairRange(on.rates(), off.rates()) + ")");
    }
    double offCpu = context.cpu.gatewayMicrosWithoutJit(off.topic());
    double onCpu = context.cpu.gatewayMicrosWithoutJit(on.topic());
    context.notes().add(String.format("schema stage, %s: the gateway's CPU without the JIT per %s, validation off %.1f µs, on %.1f µs "
      + "(%+.1f µs, %+.0f %%)", workload.describe(), workload.perRequest() == 1 ? "request (one record)" : "record", offCpu, onCpu,
      onCpu - offCpu, 100 * (onCpu - offCpu) / offCpu));
  }

  /** Every gateway, each given its own chance to stop; the first failure is thrown after all were tried. */
  private static void terminate(List<GatewayProcess> gateways) throws InterruptedException {
    IllegalStateException first = null;
    for (GatewayProcess gateway : gateways) {
      try {
        gateway.terminate(Duration.ofSeconds(30));
      } catch (IllegalStateException e) {
        first = first == null ? e : first;
      }
    }
    if (first != null) {
      throw first;
    }
  }

  /** The run's schema dir: generated, never kept. */
  private static void deleteTree(Path dir) throws IOException {
    try (var paths = Files.walk(dir)) {
      paths.sorted(Collections.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}

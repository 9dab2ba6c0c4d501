package org.eventgateway.ingest;

import org.eventgateway.config.GatewayConfig;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Which topics a client may write to, checked by every ingestion door before the body is read:
 * a valid name (422), never an internal topic ({@code __*}) nor a dead-letter topic (403: only the
 * gateway writes there, and the redrive trusts what it finds), and only what
 * {@code ingest.allowedTopics} allows (403). Without that key: the configured {@code topics}, plus
 * any name when {@code produce.autoCreateTopics} is on.
 */
public final class TopicPolicy {
  private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9._-]{1,249}");
  /** Every valid name: the checks that matter are the 403 rules before the allow-list. */
  static final TopicPolicy ANY = new TopicPolicy(Map.of(), List.of(Pattern.compile(".*")), List.of("*"));

  /** Dead-letter topic -> its group. */
  private final Map<String, String> deadLetterTopics;
  private final List<Pattern> allowed;
  private final List<String> allowedAsWritten;

  private TopicPolicy(Map<String, String> deadLetterTopics, List<Pattern> allowed, List<String> allowedAsWritten) {
    this.deadLetterTopics = deadLetterTopics;
    this.allowed = allowed;
    this.allowedAsWritten = allowedAsWritten;
  }

  public static TopicPolicy from(GatewayConfig root) {
    Map<String, String> dlq = new LinkedHashMap<>();
    root.deadLetterTopics().forEach((group, topic) -> dlq.put(topic, group));
    List<String> written = new ArrayList<>();
    if (root.ingest().allowedTopics() != null) {
      written.addAll(root.ingest().allowedTopics());
    } else {
      written.addAll(root.topics().keySet());
      if (root.produce().autoCreateTopics()) {
        written.add("*");
      }
    }
    return new TopicPolicy(dlq, written.stream().map(TopicPolicy::glob).toList(), List.copyOf(written));
  }

  /** {@code *} stands for any run of name characters; everything else is literal. */
  private static Pattern glob(String entry) {
    StringBuilder regex = new StringBuilder();
    for (String part : entry.split("\\*", -1)) {
      if (!regex.isEmpty()) {
        regex.append("[a-zA-Z0-9._-]*");
      }
      regex.append(Pattern.quote(part));
    }
    return Pattern.compile(regex.toString());
  }

  /** Throws the client's answer (422 or 403, naming the rule) when the topic may not be written. */
  public void check(String topic) {
    if (topic == null || !NAME.matcher(topic).matches() || ".".equals(topic) || "..".equals(topic)) {
      throw new RequestException(422, "invalid topic name '" + topic + "': use 1-249 of [a-zA-Z0-9._-]");
    }
    if (topic.startsWith("__")) {
      throw new RequestException(403, "topic '" + topic + "' is internal (names starting with '__' belong to the broker)");
    }
    String group = deadLetterTopics.get(topic);
    if (group != null) {
      throw new RequestException(403, "topic '" + topic + "' is the dead-letter topic of group '" + group
        + "': only the gateway writes there (use the redrive)");
    }
    for (Pattern p : allowed) {
      if (p.matcher(topic).matches()) {
        return;
      }
    }
    throw new RequestException(403, "topic '" + topic + "' is not allowed by ingest.allowedTopics " + allowedAsWritten);
  }
}

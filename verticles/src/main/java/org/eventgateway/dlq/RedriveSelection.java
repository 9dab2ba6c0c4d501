package org.eventgateway.dlq;

import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What a redrive request selects, checked again here (the HTTP route checks its schema, but the bus
 * has other clients): a wrong shape is refused 422 naming the field. {@code maxRedrives} is the
 * configured limit or a lower one the request asks for, never a higher one.
 */
record RedriveSelection(boolean all, Set<Long> offsets, Set<String> ids, boolean dryRun, int maxRedrives) {

  static RedriveSelection parse(JsonObject request, int configuredMaxRedrives) {
    for (String flag : List.of("all", "dryRun")) {
      if (request.getValue(flag) != null && !(request.getValue(flag) instanceof Boolean)) {
        throw invalid("field '" + flag + "': must be true or false");
      }
    }
    Object asked = request.getValue("maxRedrives");
    if (asked != null && !(asked instanceof Integer m && m >= 0)) {
      throw invalid("field 'maxRedrives': must be a non-negative integer");
    }
    Set<Long> offsets = new HashSet<>();
    if (request.getValue("offsets") != null) {
      if (!(request.getValue("offsets") instanceof JsonArray list)) {
        throw invalid("field 'offsets': must be an array of DLQ offsets");
      }
      for (int i = 0; i < list.size(); i++) {
        if (!(list.getValue(i) instanceof Number n) || n.longValue() < 0 || n.doubleValue() != n.longValue()) {
          throw invalid("field 'offsets[" + i + "]': must be a non-negative integer");
        }
        offsets.add(n.longValue());
      }
    }
    Set<String> ids = new HashSet<>();
    if (request.getValue("ids") != null) {
      if (!(request.getValue("ids") instanceof JsonArray list)) {
        throw invalid("field 'ids': must be an array of event ids");
      }
      for (int i = 0; i < list.size(); i++) {
        if (!(list.getValue(i) instanceof String id) || id.isEmpty()) {
          throw invalid("field 'ids[" + i + "]': must be a non-empty string");
        }
        ids.add(id);
      }
    }
    boolean all = Boolean.TRUE.equals(request.getValue("all"));
    if (!all && offsets.isEmpty() && ids.isEmpty()) {
      throw invalid("select what to redrive: \"offsets\":[…], \"ids\":[…] or \"all\":true");
    }
    int max = asked instanceof Integer m ? Math.min(m, configuredMaxRedrives) : configuredMaxRedrives;
    return new RedriveSelection(all, offsets, ids, Boolean.TRUE.equals(request.getValue("dryRun")), max);
  }

  /** Whether the dead letter at {@code offset}, carrying event id {@code eventId} (or null), is selected. */
  boolean selects(long offset, String eventId) {
    return all || offsets.contains(offset) || ids.contains(String.valueOf(eventId));
  }

  /**
   * The offsets worth reading, {@code {start, stop}}, of a partition holding {@code bounds}: all of
   * it, or for offsets only, just the span they cover.
   */
  long[] span(long[] bounds) {
    long start = bounds[0];
    long stop = bounds[1];
    if (!all && ids.isEmpty()) {
      start = Math.max(start, Collections.min(offsets));
      stop = Math.max(start, Math.min(stop, Collections.max(offsets) + 1));
    }
    return new long[] {start, stop};
  }

  private static ReplyException invalid(String message) {
    return new ReplyException(ReplyFailure.RECIPIENT_FAILURE, 422, message);
  }
}

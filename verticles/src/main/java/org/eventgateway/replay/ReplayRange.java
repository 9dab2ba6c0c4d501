package org.eventgateway.replay;

import io.vertx.core.json.JsonObject;

/** Checks of a replay range against the topic it reads, which no schema can make. */
final class ReplayRange {
  private ReplayRange() {}

  /** Null when every partition named in from.offsets / to.offsets exists, else a message naming the field. */
  static String unknownPartition(int partitions, JsonObject from, JsonObject to) {
    for (String side : new String[] {"from", "to"}) {
      JsonObject spec = "from".equals(side) ? from : to;
      JsonObject offsets = spec == null ? null : spec.getJsonObject("offsets");
      if (offsets == null) {
        continue;
      }
      for (String p : offsets.fieldNames()) {
        int partition;
        try {
          partition = Integer.parseInt(p);
        } catch (NumberFormatException e) {
          return "field '" + side + ".offsets." + p + "': not a partition number";
        }
        if (partition < 0 || partition >= partitions) {
          return "field '" + side + ".offsets." + p + "': the topic has no partition " + p + " (it has " + partitions + ")";
        }
        if (!(offsets.getValue(p) instanceof Number n) || n.longValue() < 0) {
          return "field '" + side + ".offsets." + p + "': must be a non-negative offset";
        }
      }
    }
    return null;
  }
}

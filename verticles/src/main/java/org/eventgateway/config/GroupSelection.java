package org.eventgateway.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/** Which configured groups this process runs: {@code consume.groups} picks them; default: all. */
public final class GroupSelection {
  private GroupSelection() {}

  public static List<String> toRun(JsonObject config) {
    JsonObject groups = config.getJsonObject("groups", new JsonObject());
    JsonArray chosen = config.getJsonObject("consume", new JsonObject()).getJsonArray("groups");
    List<String> names = new ArrayList<>();
    if (chosen == null) {
      names.addAll(groups.fieldNames());
    } else {
      for (Object name : chosen) {
        if (!groups.containsKey(String.valueOf(name))) {
          throw new IllegalArgumentException("consume.groups names '" + name + "', which is not in groups");
        }
        names.add(String.valueOf(name));
      }
    }
    return names;
  }
}

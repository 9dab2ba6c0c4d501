package org.eventgateway.auth;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The principals file: {"principals":[{"name","permissions":[…],"keys":[{"id","sha256","created"}]}]}. Reading it
 * checks every name, grant and hash and builds the table a request's key is looked up in; the edits (a key added,
 * revoked) return a new tree for {@code ./gateway keys} to write back. Pure: the file is read and written elsewhere.
 */
public final class PrincipalsFile {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._@-]{1,128}");
  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

  private PrincipalsFile() {}

  /** Key hash → its principal. Throws {@link IllegalArgumentException} naming the first thing wrong. */
  public static Map<String, Principal> table(JsonObject file, int maxKeys) {
    Map<String, Principal> byHash = new HashMap<>();
    java.util.Set<String> names = new java.util.HashSet<>();
    for (Object entry : principals(file)) {
      if (!(entry instanceof JsonObject p)) {
        throw new IllegalArgumentException("principals: every entry must be an object");
      }
      String name = p.getValue("name") instanceof String s ? s : "";
      if (!NAME.matcher(name).matches()) {
        throw new IllegalArgumentException("principal name '" + name + "': 1 to 128 letters, digits, . _ @ -");
      }
      if (!names.add(name)) {
        throw new IllegalArgumentException("principal '" + name + "' is listed twice");
      }
      Principal principal = new Principal(name, Permissions.parse(strings(p.getValue("permissions"), name + ".permissions")));
      for (Object k : p.getJsonArray("keys", new JsonArray())) {
        String hash = k instanceof JsonObject key && key.getValue("sha256") instanceof String h ? h : "";
        if (!SHA256.matcher(hash).matches()) {
          throw new IllegalArgumentException("principal '" + name + "': a key without a lower-case hex sha256");
        }
        if (byHash.put(hash, principal) != null) {
          throw new IllegalArgumentException("principal '" + name + "': a key hash listed twice");
        }
        if (byHash.size() > maxKeys) {
          throw new IllegalArgumentException("more than auth.maxKeys=" + maxKeys + " keys");
        }
      }
    }
    return byHash;
  }

  /**
   * Name → principal, keys or not (a principal known by its client certificate needs none), given the file's
   * {@link #table} (already checked: those principals are taken from it, not read again).
   */
  public static Map<String, Principal> byName(JsonObject file, Map<String, Principal> table) {
    Map<String, Principal> names = new HashMap<>();
    table.values().forEach(p -> names.put(p.name(), p));
    for (Object entry : principals(file)) {
      if (entry instanceof JsonObject p && p.getValue("name") instanceof String name && !names.containsKey(name)) {
        names.put(name, new Principal(name, Permissions.parse(strings(p.getValue("permissions"), name + ".permissions"))));
      }
    }
    return names;
  }

  /** Key id → its principal's name, to tell which keys a new version of the file added or removed. */
  public static Map<String, String> keyIds(JsonObject file) {
    Map<String, String> ids = new HashMap<>();
    for (Object entry : principals(file)) {
      if (entry instanceof JsonObject p) {
        for (Object k : p.getJsonArray("keys", new JsonArray())) {
          if (k instanceof JsonObject key && key.getValue("id") instanceof String id) {
            ids.put(id, p.getString("name"));
          }
        }
      }
    }
    return ids;
  }

  /** The tree with a new key for {@code name} (created with {@code permissions}, or given them in addition). */
  public static JsonObject addKey(JsonObject file, String name, List<String> permissions, String key, Instant now) {
    Permissions.parse(permissions);
    JsonObject out = file.copy();
    JsonArray list = out.getJsonArray("principals");
    if (list == null) {
      list = new JsonArray();
      out.put("principals", list);
    }
    JsonObject principal = find(list, name);
    if (principal == null) {
      principal = new JsonObject().put("name", name).put("permissions", new JsonArray()).put("keys", new JsonArray());
      list.add(principal);
    }
    JsonArray granted = principal.getJsonArray("permissions", new JsonArray());
    for (String p : permissions) {
      if (!granted.contains(p.trim())) {
        granted.add(p.trim());
      }
    }
    principal.put("permissions", granted);
    JsonArray keys = principal.getJsonArray("keys", new JsonArray());
    keys.add(new JsonObject().put("id", ApiKeys.idOf(key)).put("sha256", ApiKeys.hash(key)).put("created", now.toString()));
    principal.put("keys", keys);
    table(out, Integer.MAX_VALUE);
    return out;
  }

  /** The tree without the key of that id, or without every key of the principal of that name; null if neither exists. */
  public static JsonObject revoke(JsonObject file, String idOrName) {
    JsonObject out = file.copy();
    boolean removed = false;
    for (Object entry : principals(out)) {
      if (entry instanceof JsonObject p) {
        JsonArray keys = p.getJsonArray("keys", new JsonArray());
        JsonArray kept = new JsonArray();
        for (Object k : keys) {
          boolean match = idOrName.equals(p.getString("name")) || (k instanceof JsonObject key && idOrName.equals(key.getString("id")));
          if (match) {
            removed = true;
          } else {
            kept.add(k);
          }
        }
        p.put("keys", kept);
      }
    }
    return removed ? out : null;
  }

  /** One line per principal: name, permissions and key ids (never a hash). */
  public static List<String> describe(JsonObject file) {
    List<String> lines = new ArrayList<>();
    for (Object entry : principals(file)) {
      if (entry instanceof JsonObject p) {
        List<String> ids = new ArrayList<>();
        p.getJsonArray("keys", new JsonArray()).forEach(k -> ids.add(k instanceof JsonObject key ? key.getString("id") : "?"));
        lines.add(p.getString("name") + "  permissions: " + p.getJsonArray("permissions", new JsonArray()).encode()
          + "  keys: " + ids);
      }
    }
    return lines;
  }

  private static JsonArray principals(JsonObject file) {
    Object list = file.getValue("principals");
    if (list == null) {
      return new JsonArray();
    }
    if (!(list instanceof JsonArray array)) {
      throw new IllegalArgumentException("'principals' must be an array");
    }
    return array;
  }

  private static JsonObject find(JsonArray list, String name) {
    for (Object entry : list) {
      if (entry instanceof JsonObject p && name.equals(p.getString("name"))) {
        return p;
      }
    }
    return null;
  }

  private static List<String> strings(Object value, String where) {
    List<String> out = new ArrayList<>();
    if (value == null) {
      return out;
    }
    if (!(value instanceof JsonArray array)) {
      throw new IllegalArgumentException(where + " must be an array of strings");
    }
    for (Object v : array) {
      if (!(v instanceof String s)) {
        throw new IllegalArgumentException(where + " must be an array of strings");
      }
      out.add(s);
    }
    return out;
  }
}

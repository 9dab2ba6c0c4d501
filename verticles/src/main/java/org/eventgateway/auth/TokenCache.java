package org.eventgateway.auth;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Verified tokens and their principals until they expire, at most {@code max} (the least recently used goes
 * first): a client that sends the same token on every request pays one signature check per token, not per
 * request. Event-loop confined.
 */
final class TokenCache {
  private record Entry(Principal principal, long expiresAtMs) {}

  private final Map<String, Entry> entries;

  TokenCache(int max) {
    this.entries = new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
        return size() > max;
      }
    };
  }

  Principal get(String token, long nowMs) {
    Entry e = entries.get(token);
    if (e == null) {
      return null;
    }
    if (e.expiresAtMs <= nowMs) {
      entries.remove(token);
      return null;
    }
    return e.principal;
  }

  void put(String token, Principal principal, long expiresAtMs) {
    entries.put(token, new Entry(principal, expiresAtMs));
  }

  void clear() {
    entries.clear();
  }

  int size() {
    return entries.size();
  }
}

package org.eventgateway.ingest;

import io.vertx.core.json.JsonObject;

/**
 * One validated publish, whichever way it came in: {@code request} is already what the producer
 * takes ({"topic","records":[{id,key,value (JSON bytes),partition?,headers?}]}), the client's
 * {@code traceparent} as offered (null when none; checked later), and the WebSocket frame's
 * {@code ref} (null elsewhere).
 */
record Publish(JsonObject request, String traceparent, Object ref) {
  String topic() {
    return request.getString("topic");
  }

  int recordCount() {
    return request.getJsonArray("records").size();
  }
}

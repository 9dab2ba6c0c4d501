package org.eventgateway.contract;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageCodec;
import io.vertx.core.json.JsonObject;

/**
 * The gateway's event-bus codecs, in one place (addresses are in {@link Addresses}).
 *
 * <p>{@link #HANDOFF}: a JsonObject handed over without the defensive deep copy the default
 * codec makes on local delivery. Used on the produce path ({@link Addresses#PRODUCE_SEND} requests
 * and their replies), where a 100-record request would otherwise be copied once each way, and on the
 * consume path: a batch to apply ({@link Addresses#APPLY_BATCH}), a remote batch to its dispatcher and
 * its deliveries to the sessions. The rule that makes it safe: the sender never touches the object
 * again after sending it, and the receiver only reads it.
 */
public final class Codecs {
  private Codecs() {}

  public static final String HANDOFF_NAME = "gateway.handoff.json";

  /** Delivery options for a hand-off (no copy) with the given timeout. */
  public static DeliveryOptions handoff(long timeoutMs) {
    return new DeliveryOptions().setCodecName(HANDOFF_NAME).setSendTimeout(timeoutMs);
  }

  /** Reply options for a hand-off. */
  public static final DeliveryOptions HANDOFF = new DeliveryOptions().setCodecName(HANDOFF_NAME);

  /** Registers the codecs once per Vert.x instance (a second deployment on the same instance finds them). */
  public static void register(Vertx vertx) {
    try {
      vertx.eventBus().registerCodec(new HandoffCodec());
    } catch (IllegalStateException alreadyRegistered) {
      // same Vert.x, deployed again
    }
  }

  private static final class HandoffCodec implements MessageCodec<JsonObject, JsonObject> {
    @Override
    public void encodeToWire(Buffer buffer, JsonObject json) {
      Buffer encoded = json.toBuffer();
      buffer.appendInt(encoded.length()).appendBuffer(encoded);
    }

    @Override
    public JsonObject decodeFromWire(int pos, Buffer buffer) {
      int length = buffer.getInt(pos);
      return new JsonObject(buffer.slice(pos + 4, pos + 4 + length));
    }

    @Override
    public JsonObject transform(JsonObject json) {
      return json; // handed over: the sender no longer uses it
    }

    @Override
    public String name() {
      return HANDOFF_NAME;
    }

    @Override
    public byte systemCodecID() {
      return -1;
    }
  }
}

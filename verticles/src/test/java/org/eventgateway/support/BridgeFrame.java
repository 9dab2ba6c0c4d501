package org.eventgateway.support;

import io.vertx.core.json.JsonObject;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * The TCP bridge's framing on a plain blocking socket (TLS or not), as a client in any language writes it: a 4-byte
 * big-endian length, then UTF-8 JSON. For tests that send one frame and read its answer.
 */
public final class BridgeFrame {
  private BridgeFrame() {}

  public static void write(Socket socket, JsonObject frame) throws IOException {
    byte[] bytes = frame.encode().getBytes(StandardCharsets.UTF_8);
    DataOutputStream out = new DataOutputStream(socket.getOutputStream());
    out.writeInt(bytes.length);
    out.write(bytes);
    out.flush();
  }

  public static JsonObject read(Socket socket) throws IOException {
    DataInputStream in = new DataInputStream(socket.getInputStream());
    byte[] reply = new byte[in.readInt()];
    in.readFully(reply);
    return new JsonObject(new String(reply, StandardCharsets.UTF_8));
  }

  /** Writes {@code frame} and returns the first frame the gateway answers. */
  public static JsonObject exchange(Socket socket, JsonObject frame) throws IOException {
    write(socket, frame);
    return read(socket);
  }
}

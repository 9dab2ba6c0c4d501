package org.eventgateway.ingest;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The body is strict UTF-8: nothing Jackson would decode leniently (and so store altered) gets through. */
class Utf8Test {
  private static final IngestConfig CONFIG = new IngestConfig("127.0.0.1", 0, 1024 * 1024, 1000, false, 1000, 1000);
  private static final String MARK = "\u0001";

  private static byte[] splice(String template, byte[] bad) {
    byte[] t = template.getBytes(StandardCharsets.UTF_8);
    int at = template.indexOf(MARK); // ASCII before the mark: char index = byte index
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(t, 0, at);
    out.writeBytes(bad);
    out.write(t, at + 1, t.length - at - 1);
    return out.toByteArray();
  }

  /** Overlong '/', an encoded surrogate, a 5-byte form, a lone continuation, a truncated sequence, FF. */
  @ParameterizedTest
  @ValueSource(strings = {"C0AF", "EDA080", "F888808080", "80", "E282", "FF", "F4908080"})
  void invalidUtf8AnywhereIsA400NamingTheByteOffset(String hex) {
    byte[] bad = HexFormat.of().parseHex(hex);
    String[] places = {
      "{\"records\":[{\"value\":{\"s\":\"a" + MARK + "b\"}}]}",
      "{\"records\":[{\"key\":\"" + MARK + "\",\"value\":{}}]}",
      "{\"records\":[{\"id\":\"u" + MARK + "\",\"value\":{}}]}",
      "{\"records\":[{\"value\":{\"" + MARK + "\":1}}]}",
      "{\"records\":[{\"value\":{},\"headers\":[{\"key\":\"" + MARK + "\",\"value\":\"aGk=\"}]}]}",
      "{\"" + MARK + "\":1,\"records\":[{\"value\":{}}]}"};
    for (String place : places) {
      RequestException e = assertThrows(RequestException.class, () -> ProduceRequest.parse("orders", Buffer.buffer(splice(place, bad)), CONFIG),
        place);
      assertEquals(400, e.status(), place + ": " + e.getMessage());
      assertTrue(e.getMessage().contains("not UTF-8 at byte offset " + place.indexOf(MARK)), place + ": " + e.getMessage());
    }
  }

  @Test
  void utf16BodiesWithOrWithoutAByteOrderMarkAreRefusedNot500() {
    String ok = "{\"records\":[{\"key\":\"c-1\",\"id\":\"ct-1\",\"value\":{\"order_id\":\"ct-1\"}}]}";
    for (java.nio.charset.Charset cs : new java.nio.charset.Charset[] {StandardCharsets.UTF_16, StandardCharsets.UTF_16LE,
      StandardCharsets.UTF_16BE, java.nio.charset.Charset.forName("UTF-32")}) {
      RequestException e = assertThrows(RequestException.class, () -> ProduceRequest.parse("orders", Buffer.buffer(ok.getBytes(cs)), CONFIG));
      assertEquals(400, e.status(), cs + ": " + e.getMessage());
    }
  }

  @Test
  void validMultiByteTextIsKeptByteForByte() {
    String value = "{\"s\":\"\u00e9\u20ac\uD83D\uDE00\u0800\uFFFD\",\"\u00fc\":1}";
    JsonObject out = ProduceRequest.parse("orders", Buffer.buffer("{\"records\":[{\"id\":\"\u00e9-\uD83D\uDE00\",\"key\":\"\u20ac\",\"value\":"
      + value + "}]}"), CONFIG);
    JsonObject r = out.getJsonArray("records").getJsonObject(0);
    assertEquals("\u00e9-\uD83D\uDE00", r.getString("id"));
    assertEquals("\u20ac", r.getString("key"));
    assertEquals(value, new String(r.getBinary("value"), StandardCharsets.UTF_8));
  }

  @Test
  void aUtf8ByteOrderMarkDoesNotShiftTheValueBytes() {
    byte[] body = ("\uFEFF{\"records\":[{\"id\":\"bom\",\"value\":{\"a\":1}}]}").getBytes(StandardCharsets.UTF_8);
    JsonObject out = ProduceRequest.parse("orders", Buffer.buffer(body), CONFIG);
    assertEquals("{\"a\":1}", new String(out.getJsonArray("records").getJsonObject(0).getBinary("value"), StandardCharsets.UTF_8));
  }

  /** Run on every body: its cost on a 100 KB body, printed (and loosely bounded, the machine is shared). */
  @Test
  void validationIsCheapOnA100KbBody() {
    StringBuilder sb = new StringBuilder("{\"records\":[");
    for (int i = 0; sb.length() < 100_000; i++) {
      sb.append(i == 0 ? "" : ",").append("{\"id\":\"o-").append(i).append("\",\"value\":{\"customer\":\"c-\u00e9").append(i)
        .append("\",\"sku\":\"s-1\",\"qty\":1,\"amount\":5.0}}");
    }
    byte[] body = sb.append("]}").toString().getBytes(StandardCharsets.UTF_8);
    assertNull(Utf8.jsonProblem(body));
    for (int i = 0; i < 2_000; i++) { // warm-up
      Utf8.jsonProblem(body);
    }
    int rounds = 2_000;
    long t0 = System.nanoTime();
    for (int i = 0; i < rounds; i++) {
      Utf8.jsonProblem(body);
    }
    double micros = (System.nanoTime() - t0) / 1000.0 / rounds;
    System.out.printf("utf8-validation: %d bytes in %.1f us%n", body.length, micros);
    assertTrue(micros < 2_000, "validation of 100 KB took " + micros + " us");
  }
}

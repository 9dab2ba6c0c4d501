package org.eventgateway.bench;

import io.vertx.core.buffer.Buffer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A produce request body built once, with fixed-width slots for each record's id and key that are
 * patched per request, and each value's pad copied from a window into random text: the load
 * generator shares the two cores with the gateway and the broker, so it spends a copy and a few
 * digits per record instead of building and encoding JSON.
 */
final class BodyTemplate {
  private static final int ID_DIGITS = 12;

  /** What each record's value holds besides its pad, and whether the record carries an id. */
  enum Values {
    /** {@code {"n":0,"pad":"…"}}: the produce stages' values. */
    PLAIN,
    /**
     * The same values in records of the v2 JSON format alone, {@code {"key":"c-000","value":{"n":0,"pad":"…"}}}, sent as
     * {@code application/vnd.kafka.json.v2+json}: what a peer (--peer) and the gateway both take (the gateway makes the ids).
     */
    V2,
    /**
     * An order as config/schemas/orders/1.json describes it, then the pad: {@code {"order_id":"o-000000000000",
     * "customer":"c-000","sku":"sku-07","qty":8,"amount":1234.56,"pad":"…"}}, order id and customer patched per record
     * like the id and key. The schema stage's values, the same on both of its sides.
     */
    ORDERS
  }

  private final byte[] bytes;
  private final int[] idAt;
  private final int[] keyAt;
  private final int[] padAt;
  /** Where each order's id and customer digits go; empty for {@link Values#PLAIN}. */
  private final int[] orderAt;
  private final int[] customerAt;
  private final int padLength;

  /** {"records":[{"key":"c-000","id":"{prefix}-000000000000","value":{"n":0,"pad":"…"}}, …]}, about {@code size} bytes a record. */
  BodyTemplate(String idPrefix, int perRequest, int size) {
    this(idPrefix, perRequest, size, Values.PLAIN);
  }

  /** As above, with {@code values}' fields before each pad; about {@code size} bytes a record either way. */
  BodyTemplate(String idPrefix, int perRequest, int size, Values values) {
    // The order's fields take about 80 bytes more than "n": the pad gives them up, so a record stays about size bytes.
    padLength = Math.max(0, size - (values == Values.ORDERS ? 170 : 90));
    String pad = "-".repeat(padLength);
    List<Integer> ids = new ArrayList<>();
    List<Integer> keys = new ArrayList<>();
    List<Integer> pads = new ArrayList<>();
    List<Integer> orders = new ArrayList<>();
    List<Integer> customers = new ArrayList<>();
    StringBuilder sb = new StringBuilder("{\"records\":[");
    for (int i = 0; i < perRequest; i++) {
      sb.append(i == 0 ? "" : ",").append("{\"key\":\"c-");
      keys.add(sb.length());
      sb.append("000\"");
      if (values != Values.V2) {
        sb.append(",\"id\":\"").append(idPrefix).append('-');
        ids.add(sb.length());
        sb.append("0".repeat(ID_DIGITS)).append('"');
      }
      sb.append(",\"value\":{");
      if (values == Values.ORDERS) {
        sb.append("\"order_id\":\"o-");
        orders.add(sb.length());
        sb.append("0".repeat(ID_DIGITS)).append("\",\"customer\":\"c-");
        customers.add(sb.length());
        int cents = (int) ((i * 7919L) % 1_000_000);
        sb.append(String.format(Locale.ROOT, "000\",\"sku\":\"sku-%02d\",\"qty\":%d,\"amount\":%d.%02d,", i % 64, 1 + i % 9, cents / 100, cents % 100));
      } else {
        sb.append("\"n\":").append(i).append(',');
      }
      sb.append("\"pad\":\"");
      pads.add(sb.length());
      sb.append(pad).append("\"}}");
    }
    bytes = sb.append("]}").toString().getBytes(StandardCharsets.US_ASCII);
    idAt = ints(ids);
    keyAt = ints(keys);
    padAt = ints(pads);
    orderAt = ints(orders);
    customerAt = ints(customers);
  }

  /** The body for records first, first + 1, …: ids {prefix}-{index}, keys c-{index mod 500}. */
  Buffer body(long first) {
    byte[] b = bytes.clone();
    for (int i = 0; i < idAt.length; i++) {
      digits(b, idAt[i], ID_DIGITS, first + i);
    }
    for (int i = 0; i < keyAt.length; i++) {
      digits(b, keyAt[i], 3, (first + i) % 500);
      System.arraycopy(Payloads.TEXT, Payloads.distinctOffset(first + i), b, padAt[i], padLength);
    }
    for (int i = 0; i < orderAt.length; i++) {
      digits(b, orderAt[i], ID_DIGITS, first + i);
      digits(b, customerAt[i], 3, (first + i) % 500);
    }
    return Buffer.buffer(b);
  }

  /** The Content-Type of the bodies: the v2 format's own for {@link Values#V2}, JSON otherwise. */
  static String contentType(Values values) {
    return values == Values.V2 ? "application/vnd.kafka.json.v2+json" : "application/json";
  }

  /** The length of each value's pad: what a schema's maxLength on it must allow. */
  int padLength() {
    return padLength;
  }

  private static int[] ints(List<Integer> list) {
    return list.stream().mapToInt(Integer::intValue).toArray();
  }

  private static void digits(byte[] b, int at, int width, long n) {
    for (int i = at + width - 1; i >= at; i--, n /= 10) {
      b[i] = (byte) ('0' + n % 10);
    }
  }
}

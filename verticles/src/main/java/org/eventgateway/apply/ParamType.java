package org.eventgateway.apply;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.math.BigDecimal;
import java.math.BigInteger;

/**
 * What a handler parameter's PostgreSQL type (learned from the server) accepts from a JSON value,
 * and the exact Java value vertx-pg-client encodes for it without converting again. The client
 * itself narrows (a Long into int4 is {@code intValue()}, a Double into int4 truncates, an
 * Infinity goes into float8), so every conversion that could alter a value is decided here.
 * {@link #convert} returns the value to bind, or throws a {@link BindingException} saying why not.
 * Numeric strings ("2") are refused for numeric types: JSON has numbers, and a string there is
 * the producer's mistake, not something to guess at.
 */
public enum ParamType {
  SMALLINT("smallint", Short.MIN_VALUE, Short.MAX_VALUE),
  INTEGER("integer", Integer.MIN_VALUE, Integer.MAX_VALUE),
  BIGINT("bigint", Long.MIN_VALUE, Long.MAX_VALUE),
  NUMERIC("numeric"),
  REAL("real"),
  DOUBLE("double precision"),
  TEXT("text"),
  BOOLEAN("boolean"),
  /** json/jsonb: the JSON value as it is. */
  JSON("json"),
  /** Any other type: bound as before, vertx-pg-client's own checks apply. */
  OTHER("other");

  private static final BigDecimal LONG_MIN = BigDecimal.valueOf(Long.MIN_VALUE);
  private static final BigDecimal LONG_MAX = BigDecimal.valueOf(Long.MAX_VALUE);
  /** PostgreSQL's numeric limits: 131072 digits before the point, 16383 after. */
  private static final int NUMERIC_MAX_INT_DIGITS = 131_072;
  private static final int NUMERIC_MAX_SCALE = 16_383;

  public final String sqlName;
  private final long min;
  private final long max;

  ParamType(String sqlName) {
    this(sqlName, 0, 0);
  }

  ParamType(String sqlName, long min, long max) {
    this.sqlName = sqlName;
    this.min = min;
    this.max = max;
  }

  /** The type for a PostgreSQL type oid (domains already resolved to their base type). */
  public static ParamType ofOid(long oid) {
    return switch ((int) oid) {
      case 21 -> SMALLINT;
      case 23 -> INTEGER;
      case 20 -> BIGINT;
      case 1700 -> NUMERIC;
      case 700 -> REAL;
      case 701 -> DOUBLE;
      case 25, 1043, 1042, 19 -> TEXT; // text, varchar, char(n), name
      case 16 -> BOOLEAN;
      case 114, 3802 -> JSON;
      default -> OTHER;
    };
  }

  /** The value to bind for a non-null {@code value}. */
  public Object convert(Object value) {
    switch (this) {
      case SMALLINT, INTEGER, BIGINT:
        return integral(value);
      case NUMERIC:
        return numeric(value);
      case REAL, DOUBLE:
        return floating(value);
      case TEXT:
        if (value instanceof String) {
          return value;
        }
        // Like PostgreSQL's cast of a JSON scalar to text: its JSON text.
        if (value instanceof Number || value instanceof Boolean) {
          return value.toString();
        }
        if (value instanceof JsonObject o) {
          return o.encode();
        }
        if (value instanceof JsonArray a) {
          return a.encode();
        }
        return value;
      case BOOLEAN:
        return value instanceof Boolean ? value : refuse(value, " (" + jsonKind(value) + ")");
      default:
        return value;
    }
  }

  private Object integral(Object value) {
    long v;
    if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte) {
      v = ((Number) value).longValue();
    } else if (value instanceof BigInteger b) {
      if (b.bitLength() > 63) {
        return refuse(value, "");
      }
      v = b.longValue();
    } else if (value instanceof BigDecimal d) {
      if (d.compareTo(LONG_MIN) < 0 || d.compareTo(LONG_MAX) > 0) {
        return refuse(value, "");
      }
      try {
        v = d.longValueExact();
      } catch (ArithmeticException fraction) {
        return refuse(value, " (not a whole number)");
      }
    } else if (value instanceof Double || value instanceof Float) {
      double d = ((Number) value).doubleValue();
      if (!Double.isFinite(d) || d < -0x1p63 || d >= 0x1p63) {
        return refuse(value, "");
      }
      if (d != Math.rint(d)) {
        return refuse(value, " (not a whole number)");
      }
      v = (long) d;
    } else {
      return refuse(value, " (" + jsonKind(value) + ")");
    }
    if (v < min || v > max) {
      return refuse(value, "");
    }
    return switch (this) {
      case SMALLINT -> value instanceof Short ? value : Short.valueOf((short) v);
      case INTEGER -> value instanceof Integer ? value : Integer.valueOf((int) v);
      default -> value instanceof Long ? value : Long.valueOf(v);
    };
  }

  private Object numeric(Object value) {
    if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte) {
      return value;
    }
    BigDecimal d;
    if (value instanceof BigDecimal b) {
      d = b;
    } else if (value instanceof BigInteger b) {
      d = new BigDecimal(b);
    } else if (value instanceof Double || value instanceof Float) {
      double x = ((Number) value).doubleValue();
      if (!Double.isFinite(x)) {
        return refuse(value, "");
      }
      // The shortest text that reads back as this double: what the JSON said, not its binary expansion.
      d = new BigDecimal(Double.toString(x));
    } else {
      return refuse(value, " (" + jsonKind(value) + ")");
    }
    // Checked before the client expands it: 1e1000000000 must not become a billion digits.
    if (d.signum() != 0 && (d.precision() - d.scale() > NUMERIC_MAX_INT_DIGITS || d.scale() > NUMERIC_MAX_SCALE)) {
      return refuse(value, "");
    }
    return d;
  }

  private Object floating(Object value) {
    if (!(value instanceof Number n)) {
      return refuse(value, " (" + jsonKind(value) + ")");
    }
    double d = n.doubleValue();
    boolean zero = n instanceof BigDecimal b ? b.signum() == 0 : n instanceof BigInteger i ? i.signum() == 0 : d == 0;
    if (this == REAL) {
      float f = (float) d;
      // Out of range either way (Infinity, or a non-zero that rounds to zero): PostgreSQL refuses those too.
      if (!Float.isFinite(f) || (f == 0 && !zero)) {
        return refuse(value, "");
      }
      return value instanceof Float ? value : Float.valueOf(f);
    }
    if (!Double.isFinite(d) || (d == 0 && !zero)) {
      return refuse(value, "");
    }
    return value instanceof Double ? value : Double.valueOf(d);
  }

  private Object refuse(Object value, String detail) {
    throw new BindingException(BindingException.show(value) + " does not fit " + sqlName + detail);
  }

  static String jsonKind(Object value) {
    if (value instanceof String) {
      return "a JSON string";
    }
    if (value instanceof Boolean) {
      return "a JSON boolean";
    }
    if (value instanceof Number) {
      return "a JSON number";
    }
    if (value instanceof JsonObject || value instanceof java.util.Map) {
      return "a JSON object";
    }
    if (value instanceof JsonArray || value instanceof java.util.List) {
      return "a JSON array";
    }
    return value.getClass().getSimpleName();
  }
}

package org.eventgateway.ingest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import io.vertx.core.json.Json;
import org.eventgateway.config.IngestSettings;

/**
 * {@code ingest.json}: what any JSON the gateway reads may hold (nesting depth, number and string
 * length, document length, field-name length). Held by the request parser's own factory and, once
 * per process, by Jackson's defaults and Vert.x's codec (WebSocket frames, operator bodies, event
 * values decoded by the consumer), so what ingestion accepts is what the consumer can decode.
 */
public record JsonLimits(int maxNestingDepth, int maxNumberLength, int maxStringLength, long maxDocumentLength,
                         int maxNameLength) {

  public static JsonLimits defaults() {
    return from(IngestSettings.Json.DEFAULTS);
  }

  public static JsonLimits from(IngestSettings.Json c) {
    return new JsonLimits(c.maxNestingDepth(), c.maxNumberLength(), c.maxStringLength(), c.maxDocumentLength(), c.maxNameLength());
  }

  public StreamReadConstraints constraints() {
    return StreamReadConstraints.builder().maxNestingDepth(maxNestingDepth).maxNumberLength(maxNumberLength)
      .maxStringLength(maxStringLength).maxDocumentLength(maxDocumentLength).maxNameLength(maxNameLength).build();
  }

  private static final java.util.Map<JsonLimits, JsonFactory> FACTORIES = new java.util.concurrent.ConcurrentHashMap<>();

  /** One factory per distinct limits (one per process outside tests): factories are thread-safe. */
  JsonFactory factory() {
    return FACTORIES.computeIfAbsent(this, l -> JsonFactory.builder().streamReadConstraints(l.constraints()).build());
  }

  /**
   * Process-wide: Jackson's defaults (factories made from now on) and Vert.x's codec, whose factory
   * was made when the config was read. The last caller wins; one process runs one config.
   */
  @SuppressWarnings("deprecation")
  public void install() {
    StreamReadConstraints c = constraints();
    StreamReadConstraints.overrideDefaultStreamReadConstraints(c);
    try { // Vert.x's factory is not public: the codec's ObjectMapper's, or JacksonCodec's own
      JsonFactory factory;
      if (Json.CODEC.getClass().getName().equals("io.vertx.core.json.jackson.DatabindCodec")) {
        Object mapper = Json.CODEC.getClass().getMethod("mapper").invoke(null);
        factory = (JsonFactory) mapper.getClass().getMethod("getFactory").invoke(mapper);
      } else {
        java.lang.reflect.Field f = io.vertx.core.json.jackson.JacksonCodec.class.getDeclaredField("factory");
        f.setAccessible(true);
        factory = (JsonFactory) f.get(null);
      }
      factory.setStreamReadConstraints(c);
    } catch (ReflectiveOperationException | RuntimeException e) {
      throw new IllegalStateException("cannot apply ingest.json limits to Vert.x's JSON codec: " + e, e);
    }
  }

  /** The client's answer for a body over a limit: 413 for size, 422 for shape, naming the key. */
  public RequestException rejection(StreamConstraintsException e, String where) {
    String m = String.valueOf(e.getOriginalMessage());
    String key;
    int status = 422;
    long limit;
    if (m.contains("nesting depth")) {
      key = "maxNestingDepth";
      limit = maxNestingDepth;
    } else if (m.contains("Number value length")) {
      key = "maxNumberLength";
      limit = maxNumberLength;
    } else if (m.contains("String value length")) {
      key = "maxStringLength";
      limit = maxStringLength;
      status = 413;
    } else if (m.contains("Name length")) {
      key = "maxNameLength";
      limit = maxNameLength;
    } else {
      key = "maxDocumentLength";
      limit = maxDocumentLength;
      status = 413;
    }
    String what = m.replaceAll(", from `[^`]*`", ""); // Jackson's own method name means nothing to a client
    return new RequestException(status, where + " exceeds ingest.json." + key + "=" + limit + ": " + what);
  }

  /** Finds a constraint violation behind a Vert.x DecodeException (which keeps only the message). */
  public RequestException rejection(RuntimeException decodeFailure, String where) {
    for (Throwable t = decodeFailure; t != null; t = t.getCause()) {
      if (t instanceof StreamConstraintsException sce) {
        return rejection(sce, where);
      }
    }
    String m = String.valueOf(decodeFailure.getMessage());
    if (m.contains("StreamReadConstraints") || m.contains("exceeds the maximum")) {
      return rejection(new StreamConstraintsException(m.substring(m.indexOf(':') + 1).trim()), where);
    }
    return null;
  }
}

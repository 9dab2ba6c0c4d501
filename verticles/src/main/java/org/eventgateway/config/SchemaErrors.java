package org.eventgateway.config;

import io.vertx.json.schema.OutputUnit;

import java.util.List;

/** Picks, from a failed vertx-json-schema validation, the error worth showing a person. */
public final class SchemaErrors {
  private SchemaErrors() {}

  /**
   * The most specific error: the longest instance location (a wrong item rather than its array's summary),
   * then the longest keyword location (the failed {@code type} or {@code minimum} rather than "does not match schema").
   */
  public static OutputUnit mostSpecific(OutputUnit result) {
    List<OutputUnit> errors = result.getErrors();
    if (errors == null || errors.isEmpty()) {
      return result;
    }
    OutputUnit best = errors.get(0);
    for (OutputUnit e : errors) {
      if (e.getError() != null && (length(e) > length(best)
          || length(e) == length(best) && keywordLength(e) > keywordLength(best))) {
        best = e;
      }
    }
    return best;
  }

  private static int keywordLength(OutputUnit unit) {
    return unit.getKeywordLocation() == null ? 0 : unit.getKeywordLocation().length();
  }

  private static int length(OutputUnit unit) {
    return unit.getInstanceLocation() == null ? 0 : unit.getInstanceLocation().length();
  }
}

package org.eventgateway.config;

/** Turns exception chains into the one line a user reads. */
public final class ErrorText {
  private ErrorText() {}

  public static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
  }

  /** The top message, plus the root cause's when it says something else. */
  public static String describe(Throwable e) {
    String top = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    String root = rootMessage(e);
    return top.contains(root) ? top : top + ": " + root;
  }
}

package org.eventgateway.config;

/** A configuration or startup problem, reported to the user as one line (no stack trace). */
public class ConfigException extends RuntimeException {
  public ConfigException(String message) {
    super(message);
  }

  public ConfigException(String message, Throwable cause) {
    super(message, cause);
  }
}

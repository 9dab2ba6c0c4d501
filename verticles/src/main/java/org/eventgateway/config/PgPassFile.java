package org.eventgateway.config;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * libpq's password file ({@code PGPASSFILE}, default {@code ~/.pgpass}), read the way libpq reads it: one
 * {@code hostname:port:database:username:password} per line, {@code *} alone in one of the first four fields
 * matches anything, {@code \:} and {@code \\} escape a colon and a backslash, lines starting with {@code #} and
 * lines with fewer fields are skipped, the first matching line wins. A file that is not a plain file, or that
 * its group or others may access at all (libpq asks for 0600 or less), is skipped with a warning naming the
 * file — never a line of it.
 */
public final class PgPassFile {
  private static final Logger LOG = LoggerFactory.getLogger(PgPassFile.class);
  private static final Set<PosixFilePermission> GROUP_OR_OTHERS = Set.of(
    PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE,
    PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

  private PgPassFile() {}

  /** libpq's default: {@code .pgpass} in the home directory. */
  public static Path defaultPath() {
    return Path.of(System.getProperty("user.home"), ".pgpass");
  }

  /**
   * The password the file holds for this connection, if any. A missing file is no error (as in libpq); an
   * unreadable one is, naming the file.
   */
  public static Optional<String> lookup(Path file, String host, int port, String database, String user) {
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    if (!Files.isRegularFile(file)) {
      LOG.warn("password file {} is not a plain file: ignored", file);
      return Optional.empty();
    }
    try {
      Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
      if (permissions.stream().anyMatch(GROUP_OR_OTHERS::contains)) {
        LOG.warn("password file {} has group or world access; permissions should be u=rw (0600) or less: ignored", file);
        return Optional.empty();
      }
    } catch (UnsupportedOperationException notPosix) {
      // no POSIX permissions on this file system (as libpq on Windows): nothing to check
    } catch (IOException e) {
      throw new ConfigException("cannot read the password file " + file + " (PGPASSFILE): " + e.getClass().getSimpleName());
    }
    try {
      return match(Files.readAllLines(file, StandardCharsets.UTF_8), host, String.valueOf(port), database, user);
    } catch (IOException e) {
      throw new ConfigException("cannot read the password file " + file + " (PGPASSFILE): " + e.getClass().getSimpleName());
    }
  }

  /** The first line's password whose four fields match; {@code host} empty matches {@code localhost}, as in libpq. */
  static Optional<String> match(List<String> lines, String host, String port, String database, String user) {
    String[] wanted = {host == null || host.isEmpty() || host.startsWith("/") ? "localhost" : host, port, database, user};
    for (String raw : lines) {
      String line = raw.endsWith("\r") ? raw.substring(0, raw.length() - 1) : raw;
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      int at = 0;
      for (String want : wanted) {
        at = field(line, at, want);
        if (at < 0) {
          break;
        }
      }
      if (at >= 0) {
        return Optional.of(unescape(line, at));
      }
    }
    return Optional.empty();
  }

  /**
   * Matches the field starting at {@code at} against {@code want}: the index after its closing colon, or -1
   * (no match, or no colon: too few fields).
   */
  private static int field(String line, int at, String want) {
    if (line.startsWith("*:", at)) {
      return at + 2;
    }
    StringBuilder value = new StringBuilder();
    for (int i = at; i < line.length(); i++) {
      char c = line.charAt(i);
      if (c == '\\' && i + 1 < line.length()) {
        value.append(line.charAt(++i));
      } else if (c == ':') {
        return value.toString().equals(want) ? i + 1 : -1;
      } else {
        value.append(c);
      }
    }
    return -1;
  }

  /** The password field: up to an unescaped colon or the end of the line, escapes removed. */
  private static String unescape(String line, int at) {
    StringBuilder out = new StringBuilder();
    for (int i = at; i < line.length(); i++) {
      char c = line.charAt(i);
      if (c == '\\' && i + 1 < line.length()) {
        out.append(line.charAt(++i));
      } else if (c == ':') {
        break;
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }
}

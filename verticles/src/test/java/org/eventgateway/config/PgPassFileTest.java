package org.eventgateway.config;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** libpq's password file as libpq reads it: fields, wildcards, escapes, comments, first match, and the permissions rule. */
class PgPassFileTest {

  private static Optional<String> match(String host, String port, String db, String user, String... lines) {
    return PgPassFile.match(List.of(lines), host, port, db, user);
  }

  @Test
  void allFourFieldsMustMatchAndTheFirstMatchingLineWins() {
    String[] file = {"db.example:5432:orders:gateway:first", "db.example:5432:orders:gateway:second", "*:*:*:*:fallback"};
    assertEquals(Optional.of("first"), match("db.example", "5432", "orders", "gateway", file));
    assertEquals(Optional.of("fallback"), match("db.example", "5433", "orders", "gateway", file), "another port");
    assertEquals(Optional.of("fallback"), match("other", "5432", "orders", "gateway", file), "another host");
    assertEquals(Optional.empty(), match("db.example", "5432", "orders", "gateway", "db.example:5432:orders:someone:x"));
    assertEquals(Optional.empty(), match("db.example", "5432", "orders", "gateway", "db.example:5432:ORDERS:gateway:x"), "case counts");
  }

  @Test
  void aStarAloneMatchesAnythingButAStarInsideAFieldIsLiteral() {
    assertEquals(Optional.of("w"), match("h", "1", "d", "u", "*:1:*:u:w"));
    assertEquals(Optional.empty(), match("host", "1", "d", "u", "ho*:1:d:u:w"));
    assertEquals(Optional.of("w"), match("ho*", "1", "d", "u", "ho*:1:d:u:w"));
    assertEquals(Optional.empty(), match("h", "1", "d", "u", "\\*:1:d:u:w"), "an escaped star is a star, not a wildcard");
    assertEquals(Optional.of("w"), match("*", "1", "d", "u", "\\*:1:d:u:w"));
  }

  @Test
  void backslashEscapesAColonOrABackslashInAnyField() {
    assertEquals(Optional.of("pa:ss\\word"), match("h", "1", "d", "u", "h:1:d:u:pa\\:ss\\\\word"));
    assertEquals(Optional.of("x"), match("h", "1", "d:b", "u\\v", "h:1:d\\:b:u\\\\v:x"));
    assertEquals(Optional.of("pass"), match("h", "1", "d", "u", "h:1:d:u:pass:ignored"), "an unescaped colon ends the password");
  }

  @Test
  void commentsBlankAndShortLinesAreSkipped() {
    assertEquals(Optional.of("real"), match("h", "1", "d", "u", "# h:1:d:u:commented", "", "h:1:d", "h:1:d:u", "h:1:d:u:real"));
    assertEquals(Optional.of("crlf"), match("h", "1", "d", "u", "h:1:d:u:crlf\r"));
    assertEquals(Optional.of(""), match("h", "1", "d", "u", "h:1:d:u:"), "an empty password is a match");
  }

  @Test
  void noHostMeansLocalhost() {
    assertEquals(Optional.of("local"), match("", "5432", "d", "u", "localhost:5432:d:u:local"));
    assertEquals(Optional.of("local"), match("/var/run/postgresql", "5432", "d", "u", "localhost:5432:d:u:local"));
  }

  @Test
  void aFileTheGroupOrOthersMayReadIsIgnoredAsLibpqDoes() throws Exception {
    Path file = Files.createTempFile("pgpass", "");
    Files.writeString(file, "# comment\ndb:5432:orders:gateway:s3cret\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    assertEquals(Optional.of("s3cret"), PgPassFile.lookup(file, "db", 5432, "orders", "gateway"));
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r-----"));
    assertEquals(Optional.empty(), PgPassFile.lookup(file, "db", 5432, "orders", "gateway"), "group-readable");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw----r--"));
    assertEquals(Optional.empty(), PgPassFile.lookup(file, "db", 5432, "orders", "gateway"), "world-readable");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("r--------"));
    assertEquals(Optional.of("s3cret"), PgPassFile.lookup(file, "db", 5432, "orders", "gateway"), "owner read-only is fine");
  }

  @Test
  void aMissingFileIsNoErrorAndADirectoryIsIgnored() throws Exception {
    Path dir = Files.createTempDirectory("pgpass");
    assertEquals(Optional.empty(), PgPassFile.lookup(dir.resolve("none"), "db", 5432, "orders", "gateway"));
    assertEquals(Optional.empty(), PgPassFile.lookup(dir, "db", 5432, "orders", "gateway"));
    assertEquals(Path.of(System.getProperty("user.home"), ".pgpass"), PgPassFile.defaultPath());
  }
}

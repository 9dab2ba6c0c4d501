package org.eventgateway.auth;

import io.vertx.core.json.JsonObject;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code ./gateway keys add NAME --allow PERMISSION…}, {@code keys revoke ID|NAME}, {@code keys list}: edits the
 * principals file in place (written whole to a temporary file, then moved over it, readable by its owner only),
 * which a running gateway re-reads within {@code auth.reloadIntervalMs}. A new key is printed once and never stored.
 */
@Command(name = "keys", mixinStandardHelpOptions = true, description = "Manage the gateway's API keys.",
  subcommands = {KeysCommand.Add.class, KeysCommand.Revoke.class, KeysCommand.ListKeys.class})
public final class KeysCommand implements Callable<Integer> {
  @Option(names = "--file", description = "The principals file (default: $GATEWAY_PRINCIPALS_FILE, else config/principals.json).")
  Path file;

  @Override
  public Integer call() {
    CommandLine.usage(this, System.out);
    return 2;
  }

  /** Runs {@code keys …}; returns the exit code (0 done, 1 not found or unreadable, 2 usage). */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    CommandLine cli = new CommandLine(new KeysCommand());
    cli.setOut(new java.io.PrintWriter(out, true));
    cli.setErr(new java.io.PrintWriter(err, true));
    return cli.execute(args);
  }

  Path file() {
    if (file != null) {
      return file;
    }
    String env = System.getenv("GATEWAY_PRINCIPALS_FILE");
    return Path.of(env == null || env.isBlank() ? "config/principals.json" : env);
  }

  static JsonObject read(Path file) throws IOException {
    return Files.exists(file) ? new JsonObject(Files.readString(file)) : new JsonObject().put("principals", new io.vertx.core.json.JsonArray());
  }

  static void write(Path file, JsonObject tree) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path tmp = Files.createTempFile(dir, ".principals", ".tmp");
    try {
      Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException notPosix) {
      // the file system has no POSIX modes: its own defaults apply
    }
    Files.writeString(tmp, tree.encodePrettily() + "\n");
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  @Command(name = "add", mixinStandardHelpOptions = true, description = "Create a key for a principal (created if new) and print it once.")
  static final class Add implements Callable<Integer> {
    @CommandLine.ParentCommand
    KeysCommand parent;
    @Parameters(index = "0", description = "The principal's name: letters, digits, . _ @ -")
    String name;
    @Option(names = "--allow", description = "A permission to grant, e.g. produce:orders, dlq.read:ledger, lag.read (repeatable).")
    List<String> allow = List.of();
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
      String key = ApiKeys.generate();
      JsonObject updated;
      try {
        updated = PrincipalsFile.addKey(read(parent.file()), name, allow, key, Instant.now());
      } catch (IllegalArgumentException e) {
        spec.commandLine().getErr().println("keys add: " + e.getMessage());
        return 2;
      }
      write(parent.file(), updated);
      spec.commandLine().getOut().println("Key " + ApiKeys.idOf(key) + " for '" + name + "' written to " + parent.file()
        + ". It is shown only now; send it as Authorization: Bearer <key>:");
      spec.commandLine().getOut().println(key);
      return 0;
    }
  }

  @Command(name = "revoke", mixinStandardHelpOptions = true, description = "Remove one key (by its id) or every key of a principal.")
  static final class Revoke implements Callable<Integer> {
    @CommandLine.ParentCommand
    KeysCommand parent;
    @Parameters(index = "0", description = "A key id (the 8 hex digits after egw_) or a principal's name.")
    String idOrName;
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
      JsonObject updated = PrincipalsFile.revoke(read(parent.file()), idOrName);
      if (updated == null) {
        spec.commandLine().getErr().println("keys revoke: no key or principal '" + idOrName + "' in " + parent.file());
        return 1;
      }
      write(parent.file(), updated);
      spec.commandLine().getOut().println("Revoked " + idOrName + "; a running gateway stops accepting it at its next reload.");
      return 0;
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "List principals, their permissions and key ids.")
  static final class ListKeys implements Callable<Integer> {
    @CommandLine.ParentCommand
    KeysCommand parent;
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
      PrincipalsFile.describe(read(parent.file())).forEach(spec.commandLine().getOut()::println);
      return 0;
    }
  }
}

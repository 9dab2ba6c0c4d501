package org.eventgateway.apply;

import io.vertx.core.Future;
import io.vertx.core.file.FileSystem;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;

import java.util.ArrayList;
import java.util.List;

/**
 * Installs the tables at start: the gateway's own (dedupe markers, stored positions, the audit trail) and the
 * deployment's {@code apply.schemaFiles}, in one transaction serialized by an advisory lock, so
 * concurrent gateway starts do not race. All of it idempotent DDL: a restart changes nothing.
 */
final class SchemaInstaller {
  /** The gateway's own tables. */
  static final String GATEWAY_DDL = """
    CREATE TABLE IF NOT EXISTS gateway_processed_events (
      consumer_group  text        NOT NULL,
      event_id        text        NOT NULL,
      topic           text        NOT NULL,
      kafka_partition integer     NOT NULL,
      kafka_offset    bigint      NOT NULL,
      applied_at      timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (consumer_group, event_id)
    );
    CREATE INDEX IF NOT EXISTS gateway_processed_events_applied_at ON gateway_processed_events (applied_at);
    CREATE TABLE IF NOT EXISTS gateway_consumer_offsets (
      consumer_group  text        NOT NULL,
      topic           text        NOT NULL,
      kafka_partition integer     NOT NULL,
      next_offset     bigint      NOT NULL,
      updated_at      timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (consumer_group, topic, kafka_partition)
    );
    CREATE TABLE IF NOT EXISTS gateway_audit (
      id        bigserial   PRIMARY KEY,
      at        timestamptz NOT NULL,
      principal text        NOT NULL,
      action    text        NOT NULL,
      target    text,
      request   text,
      outcome   text        NOT NULL,
      status    integer,
      remote    text
    );
    CREATE TABLE IF NOT EXISTS gateway_task_reports (
      kind           text        NOT NULL,
      id             text        NOT NULL,
      consumer_group text        NOT NULL,
      report         jsonb       NOT NULL,
      created_at     timestamptz NOT NULL DEFAULT now(),
      updated_at     timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (kind, id)
    )""";
  static final String LOCK = "SELECT pg_advisory_xact_lock(72657001)";

  private final FileSystem files;
  private final Pool pool;
  private final String schema;
  private final List<String> schemaFiles;

  SchemaInstaller(FileSystem files, Pool pool, String schema, List<String> schemaFiles) {
    this.files = files;
    this.pool = pool;
    this.schema = schema;
    this.schemaFiles = List.copyOf(schemaFiles);
  }

  /** Reads the schema files, then runs {@link #statements} in one transaction. */
  Future<Void> install() {
    return Future.join(schemaFiles.stream().map(files::readFile).toList())
      .recover(err -> Future.failedFuture("cannot read apply.schemaFiles " + schemaFiles + ": " + err.getMessage()))
      .compose(read -> {
        List<String> contents = new ArrayList<>();
        for (int i = 0; i < read.size(); i++) {
          contents.add(read.resultAt(i).toString());
        }
        List<String> statements = statements(schema, contents);
        return pool.withTransaction(conn -> {
          Future<?> chain = Future.succeededFuture();
          for (String sql : statements) {
            chain = chain.compose(v -> conn.query(sql).execute());
          }
          return chain.mapEmpty();
        });
      });
  }

  /** In order: the lock, the schema unless public, the gateway's tables, each file's SQL as it is. */
  static List<String> statements(String schema, List<String> fileContents) {
    List<String> out = new ArrayList<>();
    out.add(LOCK);
    if (!"public".equals(schema)) {
      out.add("CREATE SCHEMA IF NOT EXISTS \"" + schema.replace("\"", "") + "\"");
    }
    out.add(GATEWAY_DDL);
    out.addAll(fileContents);
    return out;
  }

  /** The start failure's message when PostgreSQL cannot take the schema: where it was looked for and what to check. */
  static String unusable(PgConnectOptions connect, Throwable err) {
    return unusable(connect, err, null);
  }

  /** The same, or, when {@link TlsDiagnosis} found why TLS failed, that reason (it names the setting). */
  static String unusable(PgConnectOptions connect, Throwable err, String tlsReason) {
    if (tlsReason != null) {
      return "PostgreSQL at " + connect.getHost() + ":" + connect.getPort() + ": " + tlsReason;
    }
    return "PostgreSQL at " + connect.getHost() + ":" + connect.getPort() + "/" + connect.getDatabase()
      + " is not usable (" + err.getMessage() + ") — check PGHOST, PGPORT, PGDATABASE, PGUSER, PGPASSWORD";
  }
}

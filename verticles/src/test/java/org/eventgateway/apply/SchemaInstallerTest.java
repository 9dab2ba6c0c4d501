package org.eventgateway.apply;

import io.vertx.pgclient.PgConnectOptions;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The order of the start-up DDL and the message of a PostgreSQL that cannot take it. */
class SchemaInstallerTest {
  @Test
  void inThePublicSchemaTheLockComesFirstThenTheGatewaysTablesThenTheFilesInOrder() {
    assertEquals(List.of(SchemaInstaller.LOCK, SchemaInstaller.GATEWAY_DDL, "CREATE TABLE a ()", "CREATE TABLE b ()"),
      SchemaInstaller.statements("public", List.of("CREATE TABLE a ()", "CREATE TABLE b ()")));
  }

  @Test
  void anotherSchemaIsCreatedRightAfterTheLockWithoutQuotesOfItsOwn() {
    List<String> statements = SchemaInstaller.statements("t_\"x", List.of());
    assertEquals(List.of(SchemaInstaller.LOCK, "CREATE SCHEMA IF NOT EXISTS \"t_x\"", SchemaInstaller.GATEWAY_DDL), statements);
  }

  @Test
  void anUnusableDatabaseIsNamedWithTheSettingsToCheck() {
    PgConnectOptions connect = new PgConnectOptions().setHost("db").setPort(6543).setDatabase("orders");
    assertEquals("PostgreSQL at db:6543/orders is not usable (refused) — check PGHOST, PGPORT, PGDATABASE, PGUSER, PGPASSWORD",
      SchemaInstaller.unusable(connect, new RuntimeException("refused")));
  }
}

package org.eventgateway;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The package rules of the house, checked on the compiled classes: {@code contract} (what verticles
 * share over the event bus) imports nothing of the gateway; the shared layers ({@code config},
 * {@code metrics}, {@code kafka}) import only the contracts, and {@code auth} (who may do what, for every door) and
 * {@code tls} (certificates for every listener) and {@code schema} (the topics' value schemas) the contracts and the config;
 * {@code stream} (live streams of a topic's records, mounted by ingest) the contracts, the config and the metrics; each verticle package imports the shared layers and
 * itself, never another verticle package and never the wiring ({@code Gateway}, {@code Main});
 * no package cycles; no blocking calls in main code outside {@code Main}; main code never uses test code.
 */
class ArchitectureTest {
  static final String ROOT = "org.eventgateway";
  static final List<String> VERTICLE_PACKAGES =
    List.of("apply", "audit", "bridge", "consume", "control", "dlq", "ingest", "lag", "produce", "remote", "replay");

  private static JavaClasses main;
  private static JavaClasses all;

  @BeforeAll
  static void importClasses() {
    main = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages(ROOT);
    all = new ClassFileImporter().importPackages(ROOT);
  }

  @Test
  void contractsImportNothingOfTheGateway() {
    contractsRule().check(main);
  }

  static ArchRule contractsRule() {
    return noClasses().that().resideInAPackage(ROOT + ".contract..")
      .should().dependOnClassesThat(inGatewayOutside(ROOT + ".contract"))
      .because("the contracts are what every verticle shares; they must not pull a verticle in");
  }

  @Test
  void sharedLayersImportOnlyTheContracts() {
    for (String layer : List.of("config", "metrics", "kafka")) {
      noClasses().that().resideInAPackage(ROOT + "." + layer + "..")
        .should().dependOnClassesThat(inGatewayOutside(ROOT + "." + layer, ROOT + ".contract"))
        .check(main);
    }
    for (String layer : List.of("auth", "tls", "schema")) {
      noClasses().that().resideInAPackage(ROOT + "." + layer + "..")
        .should().dependOnClassesThat(inGatewayOutside(ROOT + "." + layer, ROOT + ".contract", ROOT + ".config"))
        .check(main);
    }
    noClasses().that().resideInAPackage(ROOT + ".stream..")
      .should().dependOnClassesThat(inGatewayOutside(ROOT + ".stream", ROOT + ".contract", ROOT + ".config", ROOT + ".metrics"))
      .check(main);
  }

  @Test
  void verticlePackagesAreIndependentOfEachOther() {
    for (String pkg : VERTICLE_PACKAGES) {
      verticleRule(ROOT, pkg).check(main);
    }
  }

  static ArchRule verticleRule(String root, String pkg) {
    return noClasses().that().resideInAPackage(root + "." + pkg + "..")
      .should().dependOnClassesThat(inside(root, root + "." + pkg, root + ".contract", root + ".config", root + ".metrics", root + ".kafka",
        root + ".auth", root + ".tls", root + ".schema", root + ".stream"))
      .because("a verticle talks to the others over the event bus, through the contracts, not by import");
  }

  @Test
  void noPackageCycles() {
    cyclesRule(ROOT).check(main);
  }

  static ArchRule cyclesRule(String root) {
    return slices().matching(root + ".(*)..").should().beFreeOfCycles();
  }

  @Test
  void nothingDependsOnTheWiring() {
    noClasses().that().resideOutsideOfPackage(ROOT)
      .should().dependOnClassesThat().resideInAPackage(ROOT)
      .because("Main and Gateway sit on top: they deploy the verticles, nothing calls back into them")
      .check(main);
  }

  @Test
  void noBlockingCallsOutsideMain() {
    noClasses().that().doNotHaveFullyQualifiedName(ROOT + ".Main")
      .should().callMethod(Thread.class, "sleep", long.class)
      .orShould().callMethod(Thread.class, "sleep", long.class, int.class)
      .orShould().callMethod(CountDownLatch.class, "await")
      .orShould().callMethod(CountDownLatch.class, "await", long.class, TimeUnit.class)
      .orShould().callMethod(io.vertx.core.Future.class, "await")
      .orShould().callMethod(io.vertx.core.Future.class, "await", long.class, TimeUnit.class)
      .orShould().callMethod(io.vertx.core.Future.class, "await", io.vertx.core.Future.class)
      .orShould().dependOnClassesThat().resideInAPackage("java.sql..")
      .because("an event loop must never block; JDBC is not used, vertx-pg-client is")
      .check(main);
  }

  @Test
  void mainCodeNeverUsesTestCode() {
    noClasses().that(compiledFrom("/classes/"))
      .should().dependOnClassesThat(compiledFrom("/test-classes/"))
      .check(all);
  }

  /** Gateway classes outside every one of the given packages (each with its subpackages). */
  static DescribedPredicate<JavaClass> inGatewayOutside(String... allowed) {
    return inside(ROOT, allowed);
  }

  /** Classes under {@code root} outside every one of the {@code allowed} packages. */
  static DescribedPredicate<JavaClass> inside(String root, String... allowed) {
    return DescribedPredicate.describe("are in " + root + " but outside " + String.join(", ", allowed), c -> {
      String pkg = c.getPackageName();
      if (!pkg.equals(root) && !pkg.startsWith(root + ".")) {
        return false;
      }
      for (String a : allowed) {
        if (pkg.equals(a) || pkg.startsWith(a + ".")) {
          return false;
        }
      }
      return true;
    });
  }

  static DescribedPredicate<JavaClass> compiledFrom(String dir) {
    return DescribedPredicate.describe("are compiled into " + dir, c -> c.getSource()
      .map(s -> s.getUri().toString().contains(dir)).orElse(false));
  }
}

package org.eventgateway;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The architecture rules fail on a deliberate cycle and a verticle-to-verticle import (the fixture packages). */
class ArchitectureRulesBiteTest {
  private static final String FIXTURE = "org.eventgateway.archfixture";
  private final JavaClasses fixture = new ClassFileImporter().importPackages(FIXTURE);

  @Test
  void aVerticleImportingAnotherFails() {
    AssertionError err = assertThrows(AssertionError.class,
      () -> ArchitectureTest.verticleRule(FIXTURE, "consume").check(fixture));
    assertTrue(err.getMessage().contains("Poller"), err.getMessage());
  }

  @Test
  void aPackageCycleFails() {
    AssertionError err = assertThrows(AssertionError.class, () -> ArchitectureTest.cyclesRule(FIXTURE).check(fixture));
    assertTrue(err.getMessage().contains("Cycle"), err.getMessage());
  }
}

package dev.portcullis.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The structure docs/ARCHITECTURE.md describes, checked on every build: a violation fails the
 * suite. Bottom packages know no feature; features form no cycle; no feature reaches into another's
 * HTTP adapter or SQL; a registry's protocol types stay in its {@code registry/} package.
 */
class ArchitectureTest {

  private static final JavaClasses MAIN = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .importPackages("dev.portcullis");

  /** Infrastructure every feature may use, and which uses none. */
  private static final String[] BOTTOM = {
      "dev.portcullis.core..", "dev.portcullis.net..", "dev.portcullis.store..", "dev.portcullis.http..", "dev.portcullis.events.."};

  private static final String[] FEATURES = {
      "dev.portcullis.identity..", "dev.portcullis.publish..", "dev.portcullis.inspect..", "dev.portcullis.provenance..",
      "dev.portcullis.detect..", "dev.portcullis.gate..", "dev.portcullis.upstream..", "dev.portcullis.audit..",
      "dev.portcullis.watch..", "dev.portcullis.registry..", "dev.portcullis.app..", "dev.portcullis.cli.."};

  @Test
  void bottomPackagesKnowNoFeature() {
    noClasses().that().resideInAnyPackage(BOTTOM)
        .should().dependOnClassesThat().resideInAnyPackage(FEATURES)
        .because("core, net, store, http and events are the layer every feature stands on")
        .check(MAIN);
  }

  @Test
  void featuresFormNoCycle() {
    slices().matching("dev.portcullis.(*)..").should().beFreeOfCycles().check(MAIN);
  }

  @Test
  void noFeatureReachesIntoAnotherFeaturesHttpAdapter() {
    for (String feature : new String[] {"identity", "inspect", "gate", "upstream", "audit", "watch"}) {
      classes().that().resideInAPackage("dev.portcullis." + feature + ".http..")
          .should().onlyBeAccessed().byAnyPackage("dev.portcullis." + feature + "..", "dev.portcullis.app..")
          .because("an HTTP adapter is wired by the composition root and used by nobody else")
          .check(MAIN);
    }
  }

  @Test
  void aRegistrysProtocolStaysInItsPackage() {
    classes().that().resideInAPackage("dev.portcullis.registry.pypi..")
        .should().onlyBeAccessed().byAnyPackage("dev.portcullis.registry.pypi..", "dev.portcullis.app..")
        .because("PyPI's wire protocol is a plug-in: only the composition root knows it is there")
        .check(MAIN);
  }

  /**
   * The neutral core — publishing, the gate, detectors, identity, upstream, audit, watch and the
   * bottom packages — knows no ecosystem: PEP 440, PEP 503, wheels and sdists ({@code
   * dev.portcullis.python}) are known only to the PyPI registry and to the Python rules of
   * inspection and provenance (PEP 740 subjects).
   */
  @Test
  void theCoreKnowsNoEcosystem() {
    classes().that().resideInAPackage("dev.portcullis.python..")
        .should().onlyBeAccessed().byAnyPackage("dev.portcullis.python..", "dev.portcullis.registry.pypi..", "dev.portcullis.inspect..",
            "dev.portcullis.provenance..")
        .check(MAIN);
  }

  @Test
  void repositoriesAreTheirFeaturesOwn() {
    classes().that().haveSimpleNameEndingWith("Repository").should().notBePublic()
        .because("each feature owns its tables; others ask its entry point")
        .check(MAIN);
  }

  @Test
  void onlyTheCompositionRootAndTheCommandLineUseTheApp() {
    noClasses().that().resideOutsideOfPackages("dev.portcullis.app..", "dev.portcullis.cli..", "dev.portcullis")
        .should().dependOnClassesThat().resideInAPackage("dev.portcullis.app..")
        .check(MAIN);
  }
}

package dev.portcullis.registry.pypi;

import dev.portcullis.core.Refusal;
import dev.portcullis.publish.Ecosystem;
import dev.portcullis.python.Pep440Version;
import dev.portcullis.python.ProjectName;

/** PyPI's naming and versioning: PEP 503 names, PEP 440 versions (local versions refused, as on PyPI). */
public final class PypiEcosystem implements Ecosystem {

  public static final String ID = "pypi";

  @Override
  public String id() {
    return ID;
  }

  @Override
  public Named name(String written) {
    try {
      ProjectName name = ProjectName.of(written);
      return new Named(name.display(), name.normalized());
    } catch (IllegalArgumentException e) {
      throw new Refusal.Invalid(e.getMessage());
    }
  }

  @Override
  public Versioned version(String written) {
    try {
      Pep440Version version = Pep440Version.parse(written);
      return new Versioned(version.normalized(), version.canonical());
    } catch (IllegalArgumentException e) {
      throw new Refusal.Invalid(e.getMessage());
    }
  }
}

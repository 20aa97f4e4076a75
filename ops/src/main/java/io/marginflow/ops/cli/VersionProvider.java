package io.marginflow.ops.cli;

import picocli.CommandLine.IVersionProvider;

/** Reports the build version from the jar manifest (or "development" when run from classes). */
final class VersionProvider implements IVersionProvider {
  @Override
  public String[] getVersion() {
    String v = MarginflowCli.class.getPackage().getImplementationVersion();
    return new String[] {"marginflow " + (v == null ? "development" : v)};
  }
}

package io.marginflow.serde;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.util.ClassSecurityValidator;
import org.apache.avro.util.ClassSecurityValidator.ClassSecurityPredicate;

/**
 * Avro 1.12.2 refuses to instantiate classes it was not told to trust (SpecificDatumReader throws
 * SecurityException). Trusts the generated record packages the serdes read, once, on top of Avro's defaults.
 */
final class TrustedAvroTypes {
  private static final Set<String> PACKAGES = ConcurrentHashMap.newKeySet();

  private TrustedAvroTypes() {
  }

  static synchronized void trustPackageOf(Class<?> type) {
    String pkg = type.getPackageName();
    if (!PACKAGES.add(pkg)) {
      return;
    }
    ClassSecurityPredicate previous = ClassSecurityValidator.getGlobal();
    ClassSecurityPredicate ours = c -> PACKAGES.contains(c.getPackageName());
    ClassSecurityValidator.setGlobal(ClassSecurityValidator.composite(previous, ours));
  }
}

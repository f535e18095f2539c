package io.streamrec.schemas;

import org.apache.avro.util.ClassSecurityValidator;

/**
 * Avro 1.12.2 refuses to instantiate generated classes it does not trust. StreamRec's own generated
 * records live under {@code io.streamrec}, so that package is added to the trusted set, keeping
 * whatever else the JVM was configured to trust ({@code org.apache.avro.SERIALIZABLE_PACKAGES}).
 */
public final class AvroTrust {
  private static volatile boolean installed;

  private AvroTrust() {}

  /** Adds {@code io.streamrec.*} to the classes Avro may instantiate (idempotent). */
  public static synchronized void trustStreamRecPackages() {
    if (installed) {
      return;
    }
    ClassSecurityValidator.ClassSecurityPredicate previous = ClassSecurityValidator.getGlobal();
    ClassSecurityValidator.ClassSecurityPredicate ours =
        c -> c.getName().startsWith("io.streamrec.");
    ClassSecurityValidator.setGlobal(ClassSecurityValidator.composite(previous, ours));
    installed = true;
  }
}

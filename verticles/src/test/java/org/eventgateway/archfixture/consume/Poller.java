package org.eventgateway.archfixture.consume;

import org.eventgateway.archfixture.apply.Applier;

/** A deliberate violation for the architecture rules to catch: a verticle package importing another. */
public final class Poller {
  public static int poll() {
    return Applier.apply() + 1;
  }
}

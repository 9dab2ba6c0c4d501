package org.eventgateway.archfixture.apply;

import org.eventgateway.archfixture.consume.Poller;

/** The other half of a deliberate cycle between two "verticle" packages, for the architecture rules to catch. */
public final class Applier {
  public static int apply() {
    return 1;
  }

  public static int back() {
    return Poller.poll();
  }
}

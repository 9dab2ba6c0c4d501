package org.eventgateway.contract;

import io.vertx.ext.bridge.BridgeOptions;
import io.vertx.ext.bridge.PermittedOptions;
import io.vertx.ext.web.handler.sockjs.SockJSBridgeOptions;
import org.eventgateway.contract.Addresses;

import java.util.List;
import java.util.regex.Pattern;

/**
 * What clients outside the JVM may reach through the event-bus bridges: publishing events in, lag
 * samples out, and (TCP only) remote group deliveries and their replies. Everything else is denied (the bridges deny by default; nothing else is listed).
 */
public final class BridgePolicy {
  private BridgePolicy() {}

  public static <T extends BridgeOptions> T permit(T options) {
    options.addInboundPermitted(new PermittedOptions().setAddress(Addresses.INGEST_PUBLISH));
    options.addOutboundPermitted(new PermittedOptions().setAddress(Addresses.LAG_UPDATES));
    return options;
  }

  /**
   * The TCP bridge's: also remote group clients, registering to {@link Addresses#groupDeliver} and answering to
   * {@link Addresses#groupReply} (the TCP bridge serves both itself; the SockJS bridge does not offer them).
   */
  public static <T extends BridgeOptions> T permitTcp(T options) {
    permit(options);
    options.addInboundPermitted(new PermittedOptions().setAddressRegex("gateway\\.groups\\..+\\.reply\\.[0-9]+"));
    options.addOutboundPermitted(new PermittedOptions().setAddressRegex("gateway\\.groups\\..+\\.deliver"));
    return options;
  }

  public static SockJSBridgeOptions sockJs() {
    return permit(new SockJSBridgeOptions());
  }

  /** Whether a client may send or publish to {@code address} ({@code inbound}) or register for it. */
  public static boolean permits(BridgeOptions options, boolean inbound, String address) {
    List<PermittedOptions> permitted = inbound ? options.getInboundPermitteds() : options.getOutboundPermitteds();
    for (PermittedOptions p : permitted) {
      if (p.getAddress() != null ? p.getAddress().equals(address)
        : p.getAddressRegex() == null || Pattern.matches(p.getAddressRegex(), address)) {
        return true;
      }
    }
    return false;
  }
}

// The seam between the userspace proxy and the host: something that makes cluster IPs local
// addresses (implementations in addresses.ts and linux-addresses.ts).

export interface AddressManager {
  readonly name: string;
  /**
   * Makes exactly `addresses` (IPv4 or IPv6, no prefix) local to this host as far as this manager
   * owns them: adds the missing ones, removes the ones it added before that are not listed (also
   * those left by an earlier run, so that a restart reconciles).
   */
  sync(addresses: readonly string[]): Promise<void>;
  /** Removes every address this manager added (and whatever it created to hold them). */
  cleanup(): Promise<void>;
}

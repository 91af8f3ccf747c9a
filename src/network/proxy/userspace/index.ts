// The userspace service proxy: Services forwarded by Node.js sockets instead of kernel rules, for
// Windows nodes and for Linux hosts where nftables/iptables cannot be used. It implements the
// proxy model's ProxyBackend (createUserspaceBackend, options in backend.ts) and adds stats().
//
// What it does on every OS: per service port, TCP listeners (net.Server) and UDP sockets that
// forward to the model's endpoints round-robin (kube-proxy's userspace mode did round-robin too),
// ClientIP session affinity with the Service's timeout, node ports on listenAddresses (default
// 0.0.0.0: every IPv4 address of the node and 127.0.0.1), the next endpoint tried when a dial
// fails, an immediate reset (TCP) or drop (UDP) when a service port has no endpoint.
//
// Where cluster IPs come from (addresses.ts): a socket can accept traffic for a cluster IP only if
// the host owns that address.
// - Linux as root: the default address manager puts them on a dummy link (linux-addresses.ts); removed on
//   cleanup, reconciled on restart. Linux without root: node ports only, logged once at apply.
// - Windows: node ports work exactly as on Linux (checked under the real node.exe in Wine by
//   test/wine/userspace-proxy.test.ts, TCP and UDP, with cluster IPs on 127.x addresses). Cluster IPs
//   work only where the address is already local: any 127.x address (Windows routes all of
//   127.0.0.0/8 to loopback, so createStaticAddressManager suffices), or an address put on an adapter
//   outside Tandem (HNS, or an administrator with `netsh interface ipv4 add address` on a KM-TEST
//   loopback adapter). Adding such addresses from Tandem is not implemented: Windows' own loopback
//   pseudo-interface does not take extra addresses, and Wine's netsh is a stub that exits 0 without
//   doing anything, so a netsh strategy could not be tested here. The default on Windows is therefore
//   none, and pods reach Services there through node ports or DNS names that
//   resolve to addresses the node owns.
// - Not covered on any OS: SCTP (refused with a clear error), the client's source address towards
//   the endpoint (endpoints see the proxy's address, as with the old userspace mode), and UDP replies
//   for node ports on 0.0.0.0 leave with the source address the routing table picks, which on a
//   multi-homed node can differ from the one the client sent to (pass explicit listenAddresses there).

export { createUserspaceBackend } from './backend.js';
export { createStaticAddressManager } from './addresses.js';

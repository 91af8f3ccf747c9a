// The public face of the cluster DNS server (src/network/dns): the control plane starts it with
// startClusterDns (options: ClusterDnsOptions in cluster-dns.ts); the rest of this folder is its parts.

export { startClusterDns, type ClusterDns } from './cluster-dns.js';

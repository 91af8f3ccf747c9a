// The public face of the cluster DNS server (src/network/dns): the control plane starts it with
// startClusterDns (options: ClusterDnsOptions in cluster-dns.ts) and publishes it as kube-dns's
// endpoint with startDnsEndpointPublisher; the rest of this folder is their parts.

export { startClusterDns, type ClusterDns } from './cluster-dns.js';
export { startDnsEndpointPublisher } from './endpoint-publisher.js';

// Where the DNS server reads the cluster from: Services, their EndpointSlices and (in `verified` pod
// mode) Pods, each looked up by name or by address. An interface so that the answering logic and its
// socket tests run on an in-memory source (testing/fake-source.ts) with no API server; the real one
// (informer-source.ts) reads shared informers with indexes.

import type { EndpointSlice, Pod, Service } from '../../api/gen/types.js';

export interface DnsSource {
  service(namespace: string, name: string): Service | undefined;
  /** The EndpointSlices labelled with the service's name in its namespace. */
  endpointSlices(namespace: string, service: string): EndpointSlice[];
  /** Services with this cluster IP (canonical form, names.ts canonicalIp). */
  servicesByIp(ip: string): Service[];
  /** EndpointSlices with an endpoint at this address (canonical form). */
  slicesByIp(ip: string): EndpointSlice[];
  /** Pods with this pod IP (canonical form); only asked in `verified` pod mode. */
  podsByIp(ip: string): Pod[];
  /** False until the first complete list of every kind read: negative answers are then SERVFAIL, as CoreDNS does. */
  hasSynced(): boolean;
  /** Unix seconds of the last change seen: the SOA serial. */
  modified(): number;
}

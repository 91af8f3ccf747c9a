// What a node's service proxy programs, whatever does the forwarding (nftables or iptables rules in
// the kernel, or the userspace proxy in Node.js): one entry per Service port, with the endpoints
// traffic may go to already chosen as kube-proxy chooses them (ready endpoints; serving-and-
// terminating ones only when none is ready; node-local ones where a traffic policy says Local).
// The proxy runner builds it from Services and EndpointSlices and hands each backend the whole
// desired state; a backend makes the host match it.

export type L4Protocol = 'TCP' | 'UDP' | 'SCTP';

export interface ProxyEndpoint {
  ip: string;
  port: number;
  /** the endpoint's pod runs on this node */
  local: boolean;
}

export interface ProxyServicePort {
  /** `<namespace>/<name>:<port name>` (kube-proxy's service port name) */
  id: string;
  namespace: string;
  name: string;
  portName: string;
  protocol: L4Protocol;
  /** the Service's cluster IPs (empty for headless Services, which a proxy leaves alone) */
  clusterIPs: string[];
  port: number;
  /** set for NodePort (and LoadBalancer) Services: answered on the node's IPs and 127.0.0.1 */
  nodePort?: number;
  /** sessionAffinity ClientIP: one client IP keeps one endpoint for this long */
  affinityTimeoutSeconds?: number;
  /** endpoints for traffic to the cluster IPs (internalTrafficPolicy applied) */
  clusterEndpoints: ProxyEndpoint[];
  /** endpoints for traffic to the node port (externalTrafficPolicy applied: Local keeps only local ones) */
  nodePortEndpoints: ProxyEndpoint[];
}

export interface ProxyBackend {
  readonly name: string;
  /** Makes the host forward exactly these service ports (idempotent; the whole desired state each time). */
  apply(ports: readonly ProxyServicePort[]): Promise<void>;
  /** Removes everything this backend programmed (the agent stops for good, or a test ends). */
  cleanup(): Promise<void>;
}

// What a Service's selected pod contributes as an endpoint: its address, readiness, node, target
// reference, and the service ports resolved against the pod (numeric targetPort, or a named
// container port of the same protocol).

import type { ObjectReference, Pod, Service } from '../../api/gen/types.js';

export interface ResolvedPort {
  name?: string;
  port: number;
  protocol: string;
  appProtocol?: string;
}

export interface PodEndpoint {
  pod: Pod;
  ip: string;
  /** Counts as ready for the Service (pod Ready and not terminating, or publishNotReadyAddresses). */
  ready: boolean;
  /** Pod Ready, terminating or not. */
  serving: boolean;
  terminating: boolean;
  nodeName?: string;
  ports: ResolvedPort[];
}

const isTerminal = (p: Pod) => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';

/** The service ports the pod serves (a named targetPort the pod lacks is left out). */
function resolvePorts(svc: Service, pod: Pod): ResolvedPort[] {
  const out: ResolvedPort[] = [];
  for (const sp of svc.spec?.ports ?? []) {
    const protocol = sp.protocol ?? 'TCP';
    const tp = sp.targetPort ?? sp.port;
    let port: number | undefined;
    if (typeof tp === 'number') port = tp;
    else if (typeof tp === 'string' && /^\d+$/.test(tp)) port = Number(tp);
    else if (typeof tp === 'string') {
      for (const c of pod.spec?.containers ?? []) {
        const cp = (c.ports ?? []).find((x) => x.name === tp && (x.protocol ?? 'TCP') === protocol);
        if (cp?.containerPort !== undefined) {
          port = cp.containerPort;
          break;
        }
      }
    }
    if (port === undefined) continue;
    const r: ResolvedPort = { port, protocol };
    if (sp.name) r.name = sp.name;
    if (sp.appProtocol) r.appProtocol = sp.appProtocol;
    out.push(r);
  }
  return out;
}

/**
 * The pod as an endpoint of the Service, or undefined when it is not one (no IP, not scheduled,
 * finished; terminating pods only when `includeTerminating`).
 */
export function podEndpoint(svc: Service, pod: Pod, includeTerminating: boolean): PodEndpoint | undefined {
  const ip = pod.status?.podIP;
  if (!ip || !pod.spec?.nodeName || isTerminal(pod)) return undefined;
  const terminating = pod.metadata.deletionTimestamp !== undefined;
  if (terminating && !includeTerminating) return undefined;
  const podReady = pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;
  const publish = svc.spec?.publishNotReadyAddresses === true;
  const ep: PodEndpoint = {
    pod,
    ip,
    ready: publish || (podReady && !terminating),
    serving: podReady,
    terminating,
    ports: resolvePorts(svc, pod),
  };
  ep.nodeName = pod.spec.nodeName;
  return ep;
}

export function targetRef(pod: Pod): ObjectReference {
  return { kind: 'Pod', namespace: pod.metadata.namespace ?? '', name: pod.metadata.name ?? '', uid: pod.metadata.uid ?? '' };
}

/** A canonical key of a port list (order-insensitive). */
export function portsKey(ports: readonly ResolvedPort[]): string {
  return ports
    .map((p) => `${p.name ?? ''}/${p.port}/${p.protocol}/${p.appProtocol ?? ''}`)
    .sort()
    .join(',');
}

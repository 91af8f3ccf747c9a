// The EndpointSlices of a Service: endpoints grouped by identical port lists, at most 100 per slice.
// Existing slices keep the endpoints they hold (updated in place), new endpoints fill free room
// before new slices are made, emptied slices go; a Service without endpoints keeps one empty slice.

import type { Endpoint, EndpointSlice, Pod, Service } from '../../api/gen/types.js';
import { LABEL_ENDPOINTSLICE_MANAGED_BY, LABEL_HEADLESS_SERVICE, LABEL_SERVICE_NAME } from '../../api/well-known.js';
import { jsonEqual } from '../shared/template-hash.js';
import { podEndpoint, portsKey, targetRef, type ResolvedPort } from './pod-endpoints.js';

/** The value of the managed-by label on the slices this controller owns. */
export const MANAGED_BY = 'endpointslice-controller.k8s.io';
const MAX_PER_SLICE = 100;

export interface SlicePlan {
  create: EndpointSlice[];
  update: EndpointSlice[];
  delete: EndpointSlice[];
}

function sliceEndpoint(svc: Service, pod: Pod): { ep: Endpoint; ports: ResolvedPort[] } | undefined {
  const e = podEndpoint(svc, pod, true);
  if (!e || e.ip.includes(':')) return undefined;
  const ep: Endpoint = {
    addresses: [e.ip],
    conditions: { ready: e.ready, serving: e.serving, terminating: e.terminating },
    targetRef: targetRef(pod),
  };
  if (e.nodeName) ep.nodeName = e.nodeName;
  const hostname = pod.spec?.hostname;
  if (hostname !== undefined && pod.spec?.subdomain === svc.metadata.name) ep.hostname = hostname;
  return { ep, ports: e.ports };
}

const endpointId = (ep: Endpoint) => ep.targetRef?.uid || ep.addresses.join(',');
const slicePortsKey = (s: EndpointSlice) =>
  portsKey((s.ports ?? []).map((p) => ({ name: p.name, port: p.port ?? 0, protocol: p.protocol ?? 'TCP', appProtocol: p.appProtocol })));

/** Labels every managed slice of the Service carries (the Service's own labels plus ours). */
function sliceLabels(svc: Service): Record<string, string> {
  const labels: Record<string, string> = {
    ...(svc.metadata.labels ?? {}),
    [LABEL_SERVICE_NAME]: svc.metadata.name ?? '',
    [LABEL_ENDPOINTSLICE_MANAGED_BY]: MANAGED_BY,
  };
  if (svc.spec?.clusterIP === 'None') labels[LABEL_HEADLESS_SERVICE] = '';
  return labels;
}

function newSlice(svc: Service, ports: readonly ResolvedPort[], endpoints: Endpoint[]): EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      generateName: `${(svc.metadata.name ?? 'svc').slice(0, 56)}-`,
      namespace: svc.metadata.namespace,
      labels: sliceLabels(svc),
      ownerReferences: [
        {
          apiVersion: 'v1',
          kind: 'Service',
          name: svc.metadata.name ?? '',
          uid: svc.metadata.uid ?? '',
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    addressType: 'IPv4',
    endpoints,
    ports: ports.map((p) => ({ ...p })),
  };
}

export function planSlices(svc: Service, pods: readonly Pod[], existing: readonly EndpointSlice[]): SlicePlan {
  const plan: SlicePlan = { create: [], update: [], delete: [] };
  const hasPorts = (svc.spec?.ports ?? []).length > 0;
  // desired endpoints by port-list key
  const desired = new Map<string, { ports: ResolvedPort[]; eps: Map<string, Endpoint> }>();
  for (const pod of pods) {
    const r = sliceEndpoint(svc, pod);
    if (!r || (hasPorts && r.ports.length === 0)) continue;
    const key = portsKey(r.ports);
    let g = desired.get(key);
    if (!g) desired.set(key, (g = { ports: r.ports, eps: new Map() }));
    g.eps.set(endpointId(r.ep), r.ep);
  }
  const labels = sliceLabels(svc);
  const work = existing
    .filter((s) => s.addressType === 'IPv4' || s.addressType === undefined)
    .map((s) => ({ orig: s, eps: [] as Endpoint[], key: slicePortsKey(s) }));
  for (const s of existing) if (!(s.addressType === 'IPv4' || s.addressType === undefined)) plan.delete.push(s);
  const placed = new Set<string>();
  // keep endpoints where they are
  for (const w of work) {
    const g = desired.get(w.key);
    if (!g) continue;
    for (const ep of w.orig.endpoints ?? []) {
      const id = endpointId(ep);
      const want = g.eps.get(id);
      if (!want || placed.has(`${w.key}|${id}`) || w.eps.length >= MAX_PER_SLICE) continue;
      w.eps.push(want);
      placed.add(`${w.key}|${id}`);
    }
  }
  // place the rest: free room first, then new slices
  const fresh: Array<{ ports: ResolvedPort[]; eps: Endpoint[] }> = [];
  for (const [key, g] of [...desired].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    const rest = [...g.eps]
      .filter(([id]) => !placed.has(`${key}|${id}`))
      .sort((a, b) => (a[0] < b[0] ? -1 : 1))
      .map(([, ep]) => ep);
    for (const w of work) {
      if (w.key !== key) continue;
      while (rest.length > 0 && w.eps.length < MAX_PER_SLICE) w.eps.push(rest.shift() as Endpoint);
    }
    while (rest.length > 0) fresh.push({ ports: g.ports, eps: rest.splice(0, MAX_PER_SLICE) });
  }
  const total = [...desired.values()].reduce((n, g) => n + g.eps.size, 0);
  let keptPlaceholder = false;
  for (const w of work) {
    if (w.eps.length === 0) {
      // a Service with no endpoints keeps one empty slice (upstream's placeholder)
      if (total === 0 && !keptPlaceholder) {
        keptPlaceholder = true;
        const want = {
          ...w.orig,
          metadata: { ...w.orig.metadata, labels: { ...(w.orig.metadata.labels ?? {}), ...labels } },
          endpoints: [],
          ports: [],
        };
        if (
          !jsonEqual(want.endpoints, w.orig.endpoints ?? []) ||
          !jsonEqual(want.ports, w.orig.ports ?? []) ||
          !jsonEqual(want.metadata.labels, w.orig.metadata.labels ?? {})
        )
          plan.update.push(want);
        continue;
      }
      plan.delete.push(w.orig);
      continue;
    }
    const want = {
      ...w.orig,
      metadata: { ...w.orig.metadata, labels: { ...(w.orig.metadata.labels ?? {}), ...labels } },
      endpoints: w.eps,
    };
    if (!jsonEqual(want.endpoints, w.orig.endpoints ?? []) || !jsonEqual(want.metadata.labels, w.orig.metadata.labels ?? {}))
      plan.update.push(want);
  }
  for (const f of fresh) plan.create.push(newSlice(svc, f.ports, f.eps));
  if (total === 0 && !keptPlaceholder) plan.create.push(newSlice(svc, [], []));
  return plan;
}

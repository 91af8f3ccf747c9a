// A pod's resource requests, as upstream's component-helpers compute them: cpu in millicores, memory
// and ephemeral storage in bytes, extended resources (`example.com/gpu`, `hugepages-2Mi`) by name. A
// pod's request is the sum of its containers, at least the largest init container (restartable
// "sidecar" init containers add up), plus the pod overhead (spec.overhead, which RuntimeClass
// admission fills). Used by the scheduler and the agent.

import { quantityToNumber, toMilli } from '../../base/quantity.js';
import type { Container, Quantity } from '../gen/types.js';

export interface Resource {
  milliCPU: number;
  memory: number;
  ephemeralStorage: number;
  /** Extended and hugepages resources; absent means zero. */
  scalar: Map<string, number>;
}

export const emptyResource = (): Resource => ({ milliCPU: 0, memory: 0, ephemeralStorage: 0, scalar: new Map() });

/** Upstream's stand-ins for pods that request nothing, used by scoring only: 100m cpu, 200 MiB memory. */
const DEFAULT_MILLI_CPU_REQUEST = 100;
const DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024;

const num = (v: string | number): number => {
  try {
    return quantityToNumber(v);
  } catch {
    return 0;
  }
};
const milli = (v: string | number): number => {
  try {
    return toMilli(v);
  } catch {
    return 0;
  }
};

/** True for names the scheduler accounts as extended/scalar resources. */
function isScalarResource(name: string): boolean {
  return (
    name.startsWith('hugepages-') ||
    (name.includes('/') && !name.startsWith('kubernetes.io/') && !name.startsWith('requests.')) ||
    name.startsWith('attachable-volumes-')
  );
}

/** A resource list (`{cpu: '500m', memory: '1Gi'}`) as a Resource; `pods` and unknown names are ignored. */
export function parseResourceList(list: Record<string, Quantity> | undefined): Resource {
  const r = emptyResource();
  if (!list) return r;
  for (const k of Object.keys(list)) {
    const v = list[k];
    if (v === undefined) continue;
    if (k === 'cpu') r.milliCPU = milli(v);
    else if (k === 'memory') r.memory = num(v);
    else if (k === 'ephemeral-storage') r.ephemeralStorage = num(v);
    else if (isScalarResource(k)) r.scalar.set(k, num(v));
  }
  return r;
}

export function addTo(into: Resource, r: Resource, sign = 1): void {
  into.milliCPU += sign * r.milliCPU;
  into.memory += sign * r.memory;
  into.ephemeralStorage += sign * r.ephemeralStorage;
  for (const [k, v] of r.scalar) into.scalar.set(k, (into.scalar.get(k) ?? 0) + sign * v);
}

function maxInto(into: Resource, r: Resource): void {
  into.milliCPU = Math.max(into.milliCPU, r.milliCPU);
  into.memory = Math.max(into.memory, r.memory);
  into.ephemeralStorage = Math.max(into.ephemeralStorage, r.ephemeralStorage);
  for (const [k, v] of r.scalar) into.scalar.set(k, Math.max(into.scalar.get(k) ?? 0, v));
}

const copy = (r: Resource): Resource => ({ ...r, scalar: new Map(r.scalar) });

export interface PodRequestInput {
  containers?: Container[];
  initContainers?: Container[];
  /** The pod's overhead (spec.overhead). */
  overhead?: Record<string, Quantity>;
}

/** The effective request of a pod. */
export function podRequests(spec: PodRequestInput): Resource {
  const reqs = emptyResource();
  for (const c of spec.containers ?? []) addTo(reqs, parseResourceList(c.resources?.requests));
  const sidecars = emptyResource();
  const initMax = emptyResource();
  for (const c of spec.initContainers ?? []) {
    const r = parseResourceList(c.resources?.requests);
    if (c.restartPolicy === 'Always') {
      addTo(reqs, r);
      addTo(sidecars, r);
      maxInto(initMax, sidecars);
    } else {
      const t = copy(r);
      addTo(t, sidecars);
      maxInto(initMax, t);
    }
  }
  maxInto(reqs, initMax);
  if (spec.overhead) addTo(reqs, parseResourceList(spec.overhead));
  return reqs;
}

/** The request used for scoring: zero cpu/memory replaced by upstream's defaults (per container). */
export function nonZeroRequests(spec: PodRequestInput, overhead: Resource | undefined): { milliCPU: number; memory: number } {
  let cpu = 0;
  let mem = 0;
  for (const c of spec.containers ?? []) {
    const r = parseResourceList(c.resources?.requests);
    cpu += r.milliCPU || DEFAULT_MILLI_CPU_REQUEST;
    mem += r.memory || DEFAULT_MEMORY_REQUEST;
  }
  for (const c of spec.initContainers ?? []) {
    const r = parseResourceList(c.resources?.requests);
    cpu = Math.max(cpu, r.milliCPU || DEFAULT_MILLI_CPU_REQUEST);
    mem = Math.max(mem, r.memory || DEFAULT_MEMORY_REQUEST);
  }
  if (overhead) {
    cpu += overhead.milliCPU;
    mem += overhead.memory;
  }
  return { milliCPU: cpu, memory: mem };
}

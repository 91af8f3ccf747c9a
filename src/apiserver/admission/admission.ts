// Built-in admission: namespace lifecycle (no new objects in a missing or terminating namespace),
// RuntimeClass (overhead, nodeSelector and tolerations onto new pods) and Service IP / NodePort allocation.

import type { Pod, RuntimeClass } from '../../api/gen/types.js';
import type { KindDef } from '../../api/kind.js';
import { runtimeClassKind } from '../../api/kinds/node/runtime-class.js';
import type { AnyObject } from '../../api/object.js';
import type { UnvalidatedObject } from '../../api/unvalidated.js';
import type { Backend, KeyValue } from '../../storage/backend.js';
import { forbidden, notFound } from '../../base/errors.js';
import { decodeStored } from '../registry/codec.js';
import { objectKey } from '../registry/keys.js';
import { admissionReads } from './lookups.js';
import { admitRuntimeClass } from './runtime-class.js';
import type { Holdings, ServiceAllocator } from './service-alloc.js';

export interface Admission {
  /** Async checks and allocations right before a create is stored. */
  beforeCreate(kind: KindDef, obj: AnyObject, dryRun: boolean): Promise<void>;
  /** The store refused an object beforeCreate admitted: free what beforeCreate took for it. */
  createFailed(kind: KindDef, obj: AnyObject, dryRun: boolean): Promise<void>;
  /** One update request: `admit` runs inside the compare-and-swap loop, `finish` once after it. */
  startUpdate(kind: KindDef, dryRun: boolean): UpdateAdmission;
  /** Frees what a removed object held. */
  afterDelete(kind: KindDef, obj: AnyObject): Promise<void>;
}

interface UpdateAdmission {
  /** Before validation, in every attempt: carries over what the update left out (allocated values). */
  prepare(next: AnyObject, old: AnyObject): void;
  /** After validation, in every attempt (an attempt that loses the race is followed by another): allocations. */
  admit(next: AnyObject, old: AnyObject): Promise<void>;
  /** With the stored object, or undefined when the update failed: frees what is no longer held. */
  finish(stored: AnyObject | undefined): Promise<void>;
}

const isCore = (k: KindDef, kind: string) => k.group === '' && k.kind === kind;
/** Kinds that may still be written in a terminating namespace (controllers report on cleanup). */
const ALLOWED_WHILE_TERMINATING = new Set(['Event']);

/** Whether a stored namespace is terminating, parsed once per stored version (every create asks). */
const terminating = new WeakMap<KeyValue, boolean>();
function isTerminating(kv: KeyValue): boolean {
  let t = terminating.get(kv);
  if (t === undefined) {
    t = decodeStored(kv.value, kv.modRevision).metadata.deletionTimestamp !== undefined;
    terminating.set(kv, t);
  }
  return t;
}

export function createAdmission(backend: Backend, services: ServiceAllocator): Admission {
  const runtimeClass = async (name: string): Promise<RuntimeClass | undefined> => {
    const kv = await backend.get(objectKey(runtimeClassKind, undefined, name));
    return kv ? decodeStored<RuntimeClass>(kv.value, kv.modRevision) : undefined;
  };
  const reads = admissionReads(backend);
  return {
    async beforeCreate(kind, obj, dryRun) {
      if (kind.namespaced) {
        const ns = obj.metadata.namespace ?? '';
        const kv = await reads.get(`/registry/core/namespaces/${ns}`);
        if (!kv) throw notFound({ group: '', resource: 'namespaces' }, ns);
        if (isTerminating(kv) && !ALLOWED_WHILE_TERMINATING.has(kind.kind)) {
          throw forbidden(
            `${kind.plural} "${obj.metadata.name ?? ''}" is forbidden: unable to create new content in namespace ${ns} because it is being terminated`,
          );
        }
      }
      if (isCore(kind, 'Pod')) await admitRuntimeClass(obj as UnvalidatedObject<Pod>, runtimeClass);
      if (isCore(kind, 'Service')) await services.allocateCreate(obj, dryRun);
    },
    async createFailed(kind, obj, dryRun) {
      if (isCore(kind, 'Service') && !dryRun) await services.release(obj);
    },
    startUpdate(kind, dryRun) {
      if (!isCore(kind, 'Service')) return { prepare: () => undefined, admit: async () => undefined, finish: async () => undefined };
      // what the attempts took, and the version the last attempt started from
      const took: Holdings[] = [];
      let base: AnyObject | undefined;
      return {
        prepare: keepAllocated,
        async admit(next, old) {
          base = old;
          took.push(await services.allocateUpdate(next, old, dryRun));
        },
        async finish(stored) {
          if (dryRun || !base) return;
          const keep = stored ? services.holdings(stored) : services.holdings(base);
          const drop = (h: Holdings): Holdings => ({
            ips: h.ips.filter((ip) => !keep.ips.includes(ip)),
            ports: h.ports.filter((p) => !keep.ports.includes(p)),
          });
          // taken by an attempt that lost, or held before and not any more (NodePort -> ClusterIP)
          for (const h of took) await services.release(base, drop(h));
          if (stored) await services.release(base, drop(services.holdings(base)));
        },
      };
    },
    async afterDelete(kind, obj) {
      if (isCore(kind, 'Service')) await services.release(obj);
    },
  };
}

/**
 * An update that leaves out the allocated clusterIP or nodePorts keeps them (kubectl apply and
 * replace send the object without them), as upstream's patchAllocatedValues.
 */
function keepAllocated(next: AnyObject, old: AnyObject): void {
  const spec = (next['spec'] ?? {}) as Record<string, unknown>;
  const oldSpec = (old['spec'] ?? {}) as Record<string, unknown>;
  const oldType = oldSpec['type'] ?? 'ClusterIP';
  if (
    (spec['clusterIP'] === undefined || spec['clusterIP'] === '') &&
    oldSpec['clusterIP'] &&
    spec['type'] !== 'ExternalName' &&
    oldType !== 'ExternalName'
  ) {
    spec['clusterIP'] = oldSpec['clusterIP'];
    spec['clusterIPs'] = oldSpec['clusterIPs'];
  }
  const type = spec['type'] ?? 'ClusterIP';
  const external = (t: unknown) => t === 'NodePort' || t === 'LoadBalancer';
  if (external(oldType) && !external(type)) dropExternalFields(spec, oldSpec);
  if (external(type) && external(oldType)) {
    const oldPorts = (oldSpec['ports'] as Record<string, unknown>[] | undefined) ?? [];
    for (const p of (spec['ports'] as Record<string, unknown>[] | undefined) ?? []) {
      if (p['nodePort'] === undefined || p['nodePort'] === 0) {
        const same = oldPorts.find((o) => o['port'] === p['port'] && (o['protocol'] ?? 'TCP') === (p['protocol'] ?? 'TCP'));
        if (same?.['nodePort'] !== undefined) p['nodePort'] = same['nodePort'];
      }
    }
  }
}

/**
 * A change away from NodePort/LoadBalancer drops the fields only those types may carry, where the
 * update left them as they were (upstream's dropTypeDependentFields): `type: ClusterIP` alone is a
 * valid update, and the node ports it drops are freed once it is stored.
 */
function dropExternalFields(spec: Record<string, unknown>, oldSpec: Record<string, unknown>): void {
  const ports = (spec['ports'] as Record<string, unknown>[] | undefined) ?? [];
  const oldPorts = (oldSpec['ports'] as Record<string, unknown>[] | undefined) ?? [];
  const same = ports.every((p, i) => p['nodePort'] === undefined || p['nodePort'] === oldPorts[i]?.['nodePort']);
  if (same) for (const p of ports) delete p['nodePort'];
  for (const f of ['externalTrafficPolicy', 'healthCheckNodePort', 'allocateLoadBalancerNodePorts']) {
    if (spec[f] !== undefined && spec[f] === oldSpec[f]) delete spec[f];
  }
}

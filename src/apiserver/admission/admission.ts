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
import { admitRuntimeClass } from './runtime-class.js';
import type { ServiceAllocator } from './service-alloc.js';

export interface Admission {
  /** Async checks and allocations right before a create is stored. */
  beforeCreate(kind: KindDef, obj: AnyObject, dryRun: boolean): Promise<void>;
  /** Synchronous checks of an update (inside the compare-and-swap loop). */
  validateUpdate(kind: KindDef, next: AnyObject, old: AnyObject): void;
  /** Frees what a removed object held. */
  afterDelete(kind: KindDef, obj: AnyObject): void;
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
  return {
    async beforeCreate(kind, obj, dryRun) {
      if (kind.namespaced) {
        const ns = obj.metadata.namespace ?? '';
        const kv = await backend.get(`/registry/core/namespaces/${ns}`);
        if (!kv) throw notFound({ group: '', resource: 'namespaces' }, ns);
        if (isTerminating(kv) && !ALLOWED_WHILE_TERMINATING.has(kind.kind)) {
          throw forbidden(
            `${kind.plural} "${obj.metadata.name ?? ''}" is forbidden: unable to create new content in namespace ${ns} because it is being terminated`,
          );
        }
      }
      if (isCore(kind, 'Pod')) await admitRuntimeClass(obj as UnvalidatedObject<Pod>, runtimeClass);
      if (isCore(kind, 'Service')) services.allocate(obj, dryRun);
    },
    validateUpdate(kind, next, old) {
      if (!isCore(kind, 'Service')) return;
      const spec = (next['spec'] ?? {}) as Record<string, unknown>;
      const oldSpec = (old['spec'] ?? {}) as Record<string, unknown>;
      // keep the allocated IP when an update leaves it out (kubectl apply/replace do)
      if (
        (spec['clusterIP'] === undefined || spec['clusterIP'] === '') &&
        oldSpec['clusterIP'] !== undefined &&
        spec['type'] !== 'ExternalName'
      ) {
        spec['clusterIP'] = oldSpec['clusterIP'];
        spec['clusterIPs'] = oldSpec['clusterIPs'];
      }
      const type = spec['type'];
      if (type === 'NodePort' || type === 'LoadBalancer') {
        const oldPorts = (oldSpec['ports'] as Record<string, unknown>[] | undefined) ?? [];
        for (const p of (spec['ports'] as Record<string, unknown>[] | undefined) ?? []) {
          if (p['nodePort'] === undefined) {
            const same = oldPorts.find((o) => o['port'] === p['port'] && (o['protocol'] ?? 'TCP') === (p['protocol'] ?? 'TCP'));
            if (same?.['nodePort'] !== undefined) p['nodePort'] = same['nodePort'];
          }
        }
      }
    },
    afterDelete(kind, obj) {
      if (isCore(kind, 'Service')) services.release(obj);
    },
  };
}

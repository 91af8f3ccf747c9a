// The Priority admission plugin, as upstream's: a new pod's priorityClassName (or, when it names
// none, the cluster's globalDefault class) becomes spec.priority and spec.preemptionPolicy, so the
// scheduler and eviction read numbers, never classes. A pod naming a class that does not exist, or
// writing a priority of its own that differs from what its class says, is refused with 403. On
// PriorityClasses it keeps globalDefault unique and the built-in `system-` classes undeletable.

import type { Pod, PriorityClass } from '../../api/gen/types.js';
import { isSystemPriorityClass } from '../../api/kinds/scheduling/priorityclass.js';
import { priorityClassKind } from '../../api/kinds/scheduling/priorityclass.js';
import type { UnvalidatedObject } from '../../api/unvalidated.js';
import { forbidden } from '../../base/errors.js';
import type { Backend, KeyValue } from '../../storage/backend.js';
import { decodeStored } from '../registry/codec.js';
import { listPrefix, objectKey } from '../registry/keys.js';
import { admissionReads } from './lookups.js';
import type { AdmissionPlugin, AdmissionRequest } from './plugin.js';

export interface PriorityClassSource {
  get(name: string): Promise<PriorityClass | undefined>;
  list(): Promise<PriorityClass[]>;
}

/**
 * PriorityClasses read straight from storage (admission runs inside the API server). Every pod
 * create reads them, so each stored version is decoded once.
 */
export function priorityClassesFromBackend(backend: Backend): PriorityClassSource {
  const decoded = new WeakMap<KeyValue, PriorityClass>();
  const decode = (kv: KeyValue): PriorityClass => {
    let pc = decoded.get(kv);
    if (!pc) decoded.set(kv, (pc = decodeStored<PriorityClass>(kv.value, kv.modRevision)));
    return pc;
  };
  const reads = admissionReads(backend);
  return {
    async get(name) {
      const kv = await reads.get(objectKey(priorityClassKind, undefined, name));
      return kv ? decode(kv) : undefined;
    },
    async list() {
      return (await reads.list(listPrefix(priorityClassKind, undefined))).map(decode);
    },
  };
}

/** With no class and no global default, pods get this priority. */
const DEFAULT_PRIORITY = 0;

const refuse = (r: AdmissionRequest, why: string) => forbidden(`${r.kind.plural}${groupSuffix(r)} "${r.name}" is forbidden: ${why}`);
const groupSuffix = (r: AdmissionRequest) => (r.kind.group ? `.${r.kind.group}` : '');

/** The global default class; when a race left several, the lowest value wins (as upstream picks). */
function globalDefault(classes: readonly PriorityClass[]): PriorityClass | undefined {
  let best: PriorityClass | undefined;
  for (const pc of classes) if (pc.globalDefault === true && (!best || pc.value < best.value)) best = pc;
  return best;
}

async function admitPod(r: AdmissionRequest, source: PriorityClassSource): Promise<boolean> {
  const pod = r.object as UnvalidatedObject<Pod> | undefined;
  const spec = pod?.spec;
  if (!pod || !spec) return false;
  let priority = DEFAULT_PRIORITY;
  let policy: string | undefined;
  const className = spec.priorityClassName;
  if (!className) {
    const def = globalDefault(await source.list());
    if (def) {
      spec.priorityClassName = def.metadata.name ?? '';
      priority = def.value;
      policy = def.preemptionPolicy;
      // pod defaulting already wrote priority 0 / PreemptLowerPriority for a pod without a class:
      // those are not the user's own values, so the default class replaces them
      if (spec.priority === DEFAULT_PRIORITY) delete spec.priority;
      if (spec.preemptionPolicy === 'PreemptLowerPriority') delete spec.preemptionPolicy;
    }
  } else {
    const pc = await source.get(className);
    if (!pc) throw refuse(r, `no PriorityClass with name ${className} was found`);
    priority = pc.value;
    policy = pc.preemptionPolicy;
  }
  if (spec.priority !== undefined && spec.priority !== null && spec.priority !== priority) {
    throw refuse(
      r,
      `the integer value of priority (${spec.priority}) must not be provided in pod spec; priority admission controller computed ${priority} from the given PriorityClass name`,
    );
  }
  spec.priority = priority;
  if (policy !== undefined) {
    if (spec.preemptionPolicy && spec.preemptionPolicy !== policy) {
      throw refuse(
        r,
        `the string value of PreemptionPolicy (${spec.preemptionPolicy}) must not be provided in pod spec; priority admission controller computed ${policy} from the given PriorityClass name`,
      );
    }
    spec.preemptionPolicy = policy;
  } else spec.preemptionPolicy ??= 'PreemptLowerPriority';
  return true;
}

async function validateClass(r: AdmissionRequest, source: PriorityClassSource): Promise<void> {
  if (r.operation === 'DELETE') {
    if (isSystemPriorityClass(r.name)) throw refuse(r, 'this is a system priority class and cannot be deleted');
    return;
  }
  const pc = r.object as UnvalidatedObject<PriorityClass> | undefined;
  if (pc?.globalDefault !== true) return;
  for (const other of await source.list()) {
    if (other.globalDefault === true && other.metadata.name !== r.name) {
      throw refuse(r, `PriorityClass ${other.metadata.name ?? ''} is already marked as default. Only one default can exist`);
    }
  }
}

export function createPriorityPlugin(source: PriorityClassSource): AdmissionPlugin {
  const isPod = (r: AdmissionRequest) => r.kind.group === '' && r.kind.kind === 'Pod' && r.subresource === undefined;
  const isClass = (r: AdmissionRequest) => r.kind.group === priorityClassKind.group && r.kind.kind === priorityClassKind.kind;
  return {
    name: 'Priority',
    async mutate(r) {
      if (isPod(r) && r.operation === 'CREATE') return admitPod(r, source);
      return false;
    },
    async validate(r) {
      if (isClass(r)) await validateClass(r, source);
    },
  };
}

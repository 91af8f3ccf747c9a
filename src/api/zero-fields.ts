// The fields upstream always writes even when they are zero, filled into objects before they are
// stored, so that create, get, list and watch answer what kube-apiserver answers.
//
// Upstream serialises Go structs: a non-pointer struct is always written (`status: {}` even with
// `omitempty`), and a non-pointer scalar without `omitempty` is written as 0, "" or false. A created
// ReplicaSet therefore answers `status: {replicas: 0}` and a DaemonSet its four counters; typed clients
// (the Python client among them) refuse objects without such required fields. Two generated facts say
// which fields these are, for every kind at once: the structural schema's default ({} on non-pointer
// structs, the zero value on non-pointer scalars without omitempty; pointers have none) and the
// protobuf tags' omitEmpty (a scalar carrying it is never filled). Status is filled all the way down
// through nested structs; spec only at its top level, its structs as they are or {} (their insides are
// required or defaulted by the kind, and pod templates must not grow fields upstream leaves out).

import { definitions } from './gen/definitions.js';
import { PROTO_TAGS } from './gen/proto-tags.js';
import type { FieldDef, ObjectDefinition } from './schema/types.js';

/** What to fill in one object: scalars set when absent, structs created when absent and filled. */
interface Plan {
  scalars: readonly (readonly [string, string | number | boolean])[];
  structs: readonly (readonly [string, Plan])[];
}

const EMPTY: Plan = { scalars: [], structs: [] };
const MAX_DEPTH = 6;

const objectDef = (name: string): ObjectDefinition | undefined => {
  const d = definitions[name];
  return d?.kind === 'object' ? d : undefined;
};

/** The field's protobuf facts, or undefined when the message has none (apiextensions has no generated.proto tags here). */
function protoOmitsEmpty(defName: string, field: string): boolean | undefined {
  const msg = PROTO_TAGS[defName];
  if (!msg) return undefined;
  for (const f of Object.values(msg)) if (f.name === field) return f.omitEmpty === true;
  return undefined;
}

const isZero = (v: unknown): v is string | number | boolean => v === 0 || v === '' || v === false;

function planFor(defName: string, depth: number, nested: boolean): Plan {
  const def = objectDef(defName);
  if (!def) return EMPTY;
  const scalars: [string, string | number | boolean][] = [];
  const structs: [string, Plan][] = [];
  for (const [name, f] of Object.entries(def.fields) as [string, FieldDef][]) {
    if (f.default === undefined) continue;
    if (f.type.kind === 'prim' && isZero(f.default)) {
      if (protoOmitsEmpty(defName, name) !== true) scalars.push([name, f.default]);
    } else if (depth < MAX_DEPTH && f.type.kind === 'ref' && objectDef(f.type.ref)) {
      // below spec's top level only the struct itself (NetworkPolicy's podSelector: {}), not its fields
      structs.push([name, nested ? planFor(f.type.ref, depth + 1, true) : EMPTY]);
    }
  }
  return scalars.length === 0 && structs.length === 0 ? EMPTY : { scalars, structs };
}

/** The plan of a kind's root: `status` in depth, `spec` at its top level. */
function rootPlan(schema: string): Plan {
  const def = objectDef(schema);
  if (!def) return EMPTY;
  const structs: [string, Plan][] = [];
  const status = def.fields['status'];
  // a non-pointer status struct (default {}) is always written upstream, even when empty
  if (status?.type.kind === 'ref' && status.default !== undefined) structs.push(['status', planFor(status.type.ref, 1, true)]);
  const spec = def.fields['spec'];
  if (spec?.type.kind === 'ref') {
    const p = planFor(spec.type.ref, 1, false);
    if (p !== EMPTY) structs.push(['spec', p]);
  }
  return structs.length === 0 ? EMPTY : { scalars: [], structs };
}

const plans = new Map<string, Plan>();

/** Fills one object: absent scalars get their zero, absent structs are created and filled. */
function apply(obj: Record<string, unknown>, plan: Plan): void {
  for (const [name, zero] of plan.scalars) if (obj[name] === undefined) obj[name] = zero;
  for (const [name, sub] of plan.structs) {
    let v = obj[name];
    if (v === undefined || v === null) {
      v = {};
      obj[name] = v;
    }
    if (typeof v === 'object' && !Array.isArray(v)) apply(v as Record<string, unknown>, sub);
  }
}

/**
 * Fills, in place, the always-written fields of an object of the kind whose definition is `schema`
 * (a KindDef's `schema`). A missing `status` is created; a missing `spec` is left missing (validation
 * decides about it). Unknown definitions (custom resources) are left alone.
 */
export function fillZeroFields(schema: string, obj: object): void {
  let plan = plans.get(schema);
  if (!plan) {
    plan = rootPlan(schema);
    plans.set(schema, plan);
  }
  if (plan === EMPTY) return;
  const o = obj as Record<string, unknown>;
  for (const [name, sub] of plan.structs) {
    let v = o[name];
    if (v === undefined || v === null) {
      if (name !== 'status') continue;
      v = {};
      o[name] = v;
    }
    if (typeof v === 'object' && !Array.isArray(v)) apply(v as Record<string, unknown>, sub);
  }
}

// Dev-time generator: reads the Kubernetes 1.32 OpenAPI v3 documents in ../shared/reference/openapi/v3/
// (relative to the repo root) and writes src/api/gen/definitions.ts, a DefinitionMap that keeps only
// structural facts (names, types, formats, required lists, list/map/patch semantics, defaults, GVKs) for
// the definitions reachable from the kinds Tandem serves. Description texts are never read out.
// Usage: node dist/scripts/gen-schema.js [--out FILE] [--ref DIR]

import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Definition, FieldDef, GVK, Primitive, TypeRef } from '../src/api/schema/types.js';

/** The definitions whose transitive closure is kept. */
export const ROOTS: readonly string[] = [
  ...['Namespace', 'Pod', 'Service', 'Endpoints', 'Node', 'ConfigMap', 'Secret', 'Event', 'ServiceAccount'].flatMap((k) => [
    `io.k8s.api.core.v1.${k}`,
    `io.k8s.api.core.v1.${k}List`,
  ]),
  'io.k8s.api.core.v1.Binding',
  ...['Deployment', 'ReplicaSet', 'DaemonSet'].flatMap((k) => [`io.k8s.api.apps.v1.${k}`, `io.k8s.api.apps.v1.${k}List`]),
  'io.k8s.api.autoscaling.v1.Scale',
  'io.k8s.api.batch.v1.Job',
  'io.k8s.api.batch.v1.JobList',
  'io.k8s.api.coordination.v1.Lease',
  'io.k8s.api.coordination.v1.LeaseList',
  'io.k8s.api.node.v1.RuntimeClass',
  'io.k8s.api.node.v1.RuntimeClassList',
  'io.k8s.api.discovery.v1.EndpointSlice',
  'io.k8s.api.discovery.v1.EndpointSliceList',
  'io.k8s.api.events.v1.Event',
  'io.k8s.api.events.v1.EventList',
  'io.k8s.api.policy.v1.Eviction',
  ...['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding'].flatMap((k) => [
    `io.k8s.api.rbac.v1.${k}`,
    `io.k8s.api.rbac.v1.${k}List`,
  ]),
  'io.k8s.api.authentication.v1.TokenRequest',
  'io.k8s.api.authentication.v1.TokenReview',
  'io.k8s.api.authentication.v1.SelfSubjectReview',
  'io.k8s.api.authorization.v1.SubjectAccessReview',
  'io.k8s.api.authorization.v1.SelfSubjectAccessReview',
  'io.k8s.api.authorization.v1.LocalSubjectAccessReview',
  'io.k8s.api.authorization.v1.SelfSubjectRulesReview',
  'io.k8s.api.certificates.v1.CertificateSigningRequest',
  'io.k8s.api.certificates.v1.CertificateSigningRequestList',
  ...['PersistentVolume', 'PersistentVolumeClaim', 'ResourceQuota', 'LimitRange', 'PodTemplate', 'ReplicationController'].flatMap((k) => [
    `io.k8s.api.core.v1.${k}`,
    `io.k8s.api.core.v1.${k}List`,
  ]),
  ...['StatefulSet', 'ControllerRevision'].flatMap((k) => [`io.k8s.api.apps.v1.${k}`, `io.k8s.api.apps.v1.${k}List`]),
  'io.k8s.api.batch.v1.CronJob',
  'io.k8s.api.batch.v1.CronJobList',
  'io.k8s.api.autoscaling.v1.HorizontalPodAutoscaler',
  'io.k8s.api.autoscaling.v1.HorizontalPodAutoscalerList',
  'io.k8s.api.autoscaling.v2.HorizontalPodAutoscaler',
  'io.k8s.api.autoscaling.v2.HorizontalPodAutoscalerList',
  'io.k8s.api.policy.v1.PodDisruptionBudget',
  'io.k8s.api.policy.v1.PodDisruptionBudgetList',
  'io.k8s.api.scheduling.v1.PriorityClass',
  'io.k8s.api.scheduling.v1.PriorityClassList',
  'io.k8s.api.storage.v1.StorageClass',
  'io.k8s.api.storage.v1.StorageClassList',
  ...['Ingress', 'IngressClass', 'NetworkPolicy'].flatMap((k) => [`io.k8s.api.networking.v1.${k}`, `io.k8s.api.networking.v1.${k}List`]),
  'io.k8s.kube-aggregator.pkg.apis.apiregistration.v1.APIService',
  'io.k8s.kube-aggregator.pkg.apis.apiregistration.v1.APIServiceList',
  'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinition',
  'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinitionList',
  'io.k8s.apimachinery.pkg.apis.meta.v1.Status',
  'io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions',
  'io.k8s.apimachinery.pkg.apis.meta.v1.WatchEvent',
  'io.k8s.apimachinery.pkg.apis.meta.v1.Patch',
  'io.k8s.apimachinery.pkg.apis.meta.v1.APIResourceList',
];

type Schema = { [k: string]: unknown };
const isObj = (v: unknown): v is Schema => typeof v === 'object' && v !== null && !Array.isArray(v);
const REF = '#/components/schemas/';

/** All component schemas of every document in `dir`, merged by name. */
export function loadSchemas(dir: string): Map<string, Schema> {
  const out = new Map<string, Schema>();
  for (const f of readdirSync(dir)
    .filter((n) => n.endsWith('.json'))
    .sort()) {
    const doc: unknown = JSON.parse(readFileSync(join(dir, f), 'utf8'));
    const comps = isObj(doc) && isObj(doc['components']) && isObj(doc['components']['schemas']) ? doc['components']['schemas'] : {};
    for (const [name, s] of Object.entries(comps)) if (isObj(s) && !out.has(name)) out.set(name, s);
  }
  return out;
}

function refName(s: Schema): string | undefined {
  const r = s['$ref'];
  if (typeof r === 'string') return r.startsWith(REF) ? r.slice(REF.length) : undefined;
  const all = s['allOf'];
  if (Array.isArray(all) && all.length === 1 && isObj(all[0])) return refName(all[0]);
  return undefined;
}

const PRIMS: readonly string[] = ['string', 'integer', 'number', 'boolean'];
const asPrim = (t: unknown): Primitive | undefined => (typeof t === 'string' && PRIMS.includes(t) ? (t as Primitive) : undefined);

/** Converts a property / item / value schema. `nested`: defaults belong to the TypeRef, not to a field. */
function convertType(s: Schema, nested: boolean, where: string): TypeRef {
  const ref = refName(s);
  const dflt = nested && 'default' in s ? { default: s['default'] } : {};
  if (ref) return { kind: 'ref', ref, ...dflt };
  if (s['x-kubernetes-int-or-string'] === true) return { kind: 'prim', type: 'string', format: 'int-or-string', ...dflt };
  if (s['x-kubernetes-preserve-unknown-fields'] === true && !isObj(s['properties'])) return { kind: 'any' };
  const type = s['type'];
  if (type === 'array') {
    if (!isObj(s['items'])) throw new Error(`${where}: array without items`);
    if ('default' in s && nested) throw new Error(`${where}: nested array default not supported`);
    return { kind: 'array', items: convertType(s['items'], true, `${where}[]`) };
  }
  if (type === 'object' || type === undefined) {
    if (isObj(s['properties'])) throw new Error(`${where}: inline object schemas are not supported`);
    const ap = s['additionalProperties'];
    if (isObj(ap)) return { kind: 'map', values: convertType(ap, true, `${where}{}`) };
    return { kind: 'any' };
  }
  const prim = asPrim(type);
  if (!prim) throw new Error(`${where}: unsupported type ${String(type)}`);
  const t: TypeRef = { kind: 'prim', type: prim };
  if (typeof s['format'] === 'string' && s['format']) t.format = s['format'];
  if (Array.isArray(s['enum'])) t.enum = s['enum'].map(String);
  if (nested && 'default' in s) t.default = s['default'];
  return t;
}

function convertField(s: Schema, where: string): FieldDef {
  const f: FieldDef = { type: convertType(s, false, where) };
  const lt = s['x-kubernetes-list-type'];
  if (lt === 'atomic' || lt === 'set' || lt === 'map') f.listType = lt;
  const keys = s['x-kubernetes-list-map-keys'];
  if (Array.isArray(keys)) f.listMapKeys = keys.map(String);
  if (typeof s['x-kubernetes-patch-merge-key'] === 'string') f.patchMergeKey = s['x-kubernetes-patch-merge-key'];
  if (typeof s['x-kubernetes-patch-strategy'] === 'string') f.patchStrategy = s['x-kubernetes-patch-strategy'];
  const mt = s['x-kubernetes-map-type'];
  if (mt === 'atomic' || mt === 'granular') f.mapType = mt;
  if ('default' in s) f.default = s['default'];
  return f;
}

function convertGvk(v: unknown): GVK[] | undefined {
  if (!Array.isArray(v)) return undefined;
  return v
    .filter(isObj)
    .map((g) => ({ group: String(g['group'] ?? ''), version: String(g['version'] ?? ''), kind: String(g['kind'] ?? '') }));
}

export function convertDefinition(name: string, s: Schema): Definition {
  const oneOf = s['oneOf'];
  if (Array.isArray(oneOf)) {
    const types = oneOf
      .filter(isObj)
      .map((o) => asPrim(o['type']))
      .filter((t): t is Primitive => t !== undefined);
    const main: Primitive = types.includes('string') ? 'string' : (types[0] ?? 'string');
    const type: TypeRef = { kind: 'prim', type: main };
    if (typeof s['format'] === 'string') type.format = s['format'];
    return { kind: 'scalar', type, oneOf: types };
  }
  const props = s['properties'];
  if (isObj(props)) {
    const fields: Record<string, FieldDef> = {};
    for (const k of Object.keys(props).sort()) {
      const p = props[k];
      if (isObj(p)) fields[k] = convertField(p, `${name}.${k}`);
    }
    const d: Definition = { kind: 'object', fields };
    if (Array.isArray(s['required']) && s['required'].length) d.required = s['required'].map(String);
    const gvk = convertGvk(s['x-kubernetes-group-version-kind']);
    if (gvk) d.gvk = gvk;
    const mt = s['x-kubernetes-map-type'];
    if (mt === 'atomic' || mt === 'granular') d.mapType = mt;
    if (s['x-kubernetes-preserve-unknown-fields'] === true) d.preserveUnknownFields = true;
    return d;
  }
  return { kind: 'scalar', type: convertType(s, false, name) };
}

function typeRefs(t: TypeRef, out: string[]): void {
  if (t.kind === 'ref') out.push(t.ref);
  else if (t.kind === 'array') typeRefs(t.items, out);
  else if (t.kind === 'map') typeRefs(t.values, out);
}

/** The closure of `roots`, converted, keyed by sorted name. */
export function buildDefinitions(schemas: Map<string, Schema>, roots: readonly string[]): Map<string, Definition> {
  const out = new Map<string, Definition>();
  const todo = [...roots];
  while (todo.length) {
    const name = todo.pop();
    if (name === undefined || out.has(name)) continue;
    const s = schemas.get(name);
    if (!s) throw new Error(`definition ${name} not found in the reference documents`);
    const d = convertDefinition(name, s);
    out.set(name, d);
    const refs: string[] = [];
    if (d.kind === 'object') for (const f of Object.values(d.fields)) typeRefs(f.type, refs);
    else typeRefs(d.type, refs);
    todo.push(...refs);
  }
  return new Map([...out.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

// ---- emitting TypeScript ----

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const str = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
const key = (k: string) => (IDENT.test(k) ? k : str(k));

function lit(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'string') return str(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map(lit).join(', ')}]`;
  if (isObj(v)) {
    const ks = Object.keys(v).sort();
    return ks.length ? `{ ${ks.map((k) => `${key(k)}: ${lit(v[k])}`).join(', ')} }` : '{}';
  }
  throw new Error(`cannot emit ${String(v)}`);
}

function emitType(t: TypeRef): string {
  switch (t.kind) {
    case 'prim':
      if (t.enum || t.default !== undefined) {
        const parts = [`kind: 'prim'`, `type: ${str(t.type)}`];
        if (t.format) parts.push(`format: ${str(t.format)}`);
        if (t.enum) parts.push(`enum: ${lit(t.enum)}`);
        if (t.default !== undefined) parts.push(`default: ${lit(t.default)}`);
        return `{ ${parts.join(', ')} }`;
      }
      return t.format ? `p(${str(t.type)}, ${str(t.format)})` : `p(${str(t.type)})`;
    case 'ref':
      return t.default !== undefined ? `r(${str(t.ref)}, ${lit(t.default)})` : `r(${str(t.ref)})`;
    case 'array':
      return `a(${emitType(t.items)})`;
    case 'map':
      return `m(${emitType(t.values)})`;
    case 'any':
      return 'ANY';
  }
}

function emitField(f: FieldDef): string {
  const parts = [`type: ${emitType(f.type)}`];
  if (f.listType) parts.push(`listType: ${str(f.listType)}`);
  if (f.listMapKeys) parts.push(`listMapKeys: ${lit(f.listMapKeys)}`);
  if (f.patchMergeKey) parts.push(`patchMergeKey: ${str(f.patchMergeKey)}`);
  if (f.patchStrategy) parts.push(`patchStrategy: ${str(f.patchStrategy)}`);
  if (f.mapType) parts.push(`mapType: ${str(f.mapType)}`);
  if (f.default !== undefined) parts.push(`default: ${lit(f.default)}`);
  return `{ ${parts.join(', ')} }`;
}

function emitDefinition(name: string, d: Definition): string {
  if (d.kind === 'scalar') {
    const oneOf = d.oneOf ? `, oneOf: ${lit(d.oneOf)}` : '';
    return `  ${str(name)}: { kind: 'scalar', type: ${emitType(d.type)}${oneOf} },\n`;
  }
  const head: string[] = [`kind: 'object'`];
  if (d.gvk)
    head.push(`gvk: [${d.gvk.map((g) => `{ group: ${str(g.group)}, version: ${str(g.version)}, kind: ${str(g.kind)} }`).join(', ')}]`);
  if (d.required) head.push(`required: ${lit(d.required)}`);
  if (d.mapType) head.push(`mapType: ${str(d.mapType)}`);
  if (d.preserveUnknownFields) head.push('preserveUnknownFields: true');
  const fields = Object.keys(d.fields)
    .map((k) => {
      const f = d.fields[k];
      return f ? `      ${key(k)}: ${emitField(f)},\n` : '';
    })
    .join('');
  return `  ${str(name)}: {\n    ${head.join(', ')},\n    fields: {\n${fields}    },\n  },\n`;
}

export function emitModule(defs: Map<string, Definition>): string {
  return `// Generated by scripts/gen-schema.ts from the Kubernetes 1.32 OpenAPI documents (structural facts only:
// field names, types, formats, required lists, list/map/patch semantics, defaults, GVKs; no descriptions).
// Do not edit by hand: run \`node dist/scripts/gen-schema.js\` after changing the generator's roots.

import type { DefinitionMap, Primitive, TypeRef } from '../schema/types.js';

const p = (type: Primitive, format?: string): TypeRef => (format ? { kind: 'prim', type, format } : { kind: 'prim', type });
const r = (ref: string, dflt?: unknown): TypeRef => (dflt === undefined ? { kind: 'ref', ref } : { kind: 'ref', ref, default: dflt });
const a = (items: TypeRef): TypeRef => ({ kind: 'array', items });
const m = (values: TypeRef): TypeRef => ({ kind: 'map', values });
const ANY: TypeRef = { kind: 'any' };

export const definitions: DefinitionMap = {
${[...defs.entries()].map(([n, d]) => emitDefinition(n, d)).join('')}};
`;
}

/** The whole generated module for the reference documents in `refDir`. */
export function generate(refDir: string): string {
  return emitModule(buildDefinitions(loadSchemas(refDir), ROOTS));
}

/** The repo root, from this file's location (dist/scripts/gen-schema.js or another out dir). */
export function repoRoot(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
}

/** The command line of a generator: `[--ref DIR] [--out FILE]`, writing `src/api/gen/<outName>` by default. */
export function runGenerator(argv: string[], outName: string, make: (refDir: string) => string): void {
  const root = repoRoot();
  const arg = (flag: string) => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const refDir = arg('--ref') ?? join(root, '..', 'shared', 'reference', 'openapi', 'v3');
  const out = arg('--out') ?? join(root, 'src', 'api', 'gen', outName);
  const text = make(refDir);
  writeFileSync(out, text);
  console.log(`wrote ${out} (${text.length} bytes)`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href)
  runGenerator(process.argv.slice(2), 'definitions.ts', generate);

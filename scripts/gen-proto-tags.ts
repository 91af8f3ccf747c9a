// Dev-time generator for src/api/gen/proto-tags.ts.
//
// Usage: node dist/scripts/gen-proto-tags.js <proto-root> [out-file]
//   <proto-root> holds the Kubernetes 1.32 sources (k8s.io/api and k8s.io/apimachinery, any layout):
//   every `generated.proto` below it is read, and the `types.go` beside it (when present) supplies the
//   Go facts protobuf does not carry: the JSON name, `omitempty` on non-pointer scalars, and `inline`.
// Only structural facts (message names, field names, numbers, types) are written out.

import { readdirSync, readFileSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { join, dirname } from 'node:path';

/** Top-level messages whose closure is emitted. */
const ROOTS = [
  'io.k8s.api.core.v1.Namespace',
  'io.k8s.api.core.v1.ConfigMap',
  'io.k8s.api.core.v1.Secret',
  'io.k8s.api.core.v1.Service',
  'io.k8s.api.core.v1.ServiceAccount',
  'io.k8s.api.core.v1.Pod',
  'io.k8s.api.core.v1.Node',
  'io.k8s.api.core.v1.Endpoints',
  'io.k8s.api.core.v1.Event',
  'io.k8s.api.core.v1.Binding',
  'io.k8s.api.apps.v1.Deployment',
  'io.k8s.api.apps.v1.ReplicaSet',
  'io.k8s.api.apps.v1.DaemonSet',
  'io.k8s.api.batch.v1.Job',
  'io.k8s.api.coordination.v1.Lease',
  'io.k8s.api.node.v1.RuntimeClass',
  'io.k8s.api.discovery.v1.EndpointSlice',
  'io.k8s.api.events.v1.Event',
  'io.k8s.api.policy.v1.Eviction',
  'io.k8s.api.autoscaling.v1.Scale',
  'io.k8s.api.rbac.v1.Role',
  'io.k8s.api.rbac.v1.ClusterRole',
  'io.k8s.api.rbac.v1.RoleBinding',
  'io.k8s.api.rbac.v1.ClusterRoleBinding',
  'io.k8s.api.authentication.v1.TokenRequest',
  'io.k8s.api.authentication.v1.TokenReview',
  'io.k8s.api.authentication.v1.SelfSubjectReview',
  'io.k8s.api.certificates.v1.CertificateSigningRequest',
  'io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions',
  'io.k8s.api.authorization.v1.SubjectAccessReview',
  'io.k8s.api.authorization.v1.SelfSubjectAccessReview',
  'io.k8s.api.authorization.v1.LocalSubjectAccessReview',
  'io.k8s.api.authorization.v1.SelfSubjectRulesReview',
  ...['PersistentVolume', 'PersistentVolumeClaim', 'ResourceQuota', 'LimitRange', 'PodTemplate', 'ReplicationController'].map(
    (k) => `io.k8s.api.core.v1.${k}`,
  ),
  'io.k8s.api.apps.v1.StatefulSet',
  'io.k8s.api.apps.v1.ControllerRevision',
  'io.k8s.api.batch.v1.CronJob',
  'io.k8s.api.autoscaling.v1.HorizontalPodAutoscaler',
  'io.k8s.api.autoscaling.v2.HorizontalPodAutoscaler',
  'io.k8s.api.policy.v1.PodDisruptionBudget',
  'io.k8s.api.scheduling.v1.PriorityClass',
  'io.k8s.api.storage.v1.StorageClass',
  'io.k8s.api.networking.v1.Ingress',
  'io.k8s.api.networking.v1.IngressClass',
  'io.k8s.api.networking.v1.NetworkPolicy',
  'io.k8s.kube-aggregator.pkg.apis.apiregistration.v1.APIService',
];

const SCALARS = new Set(['string', 'int32', 'int64', 'bool', 'bytes', 'double']);

interface RawField {
  label: string;
  type: string;
  mapKey?: string;
  mapValue?: string;
  name: string;
  num: number;
}
interface GoField {
  json: string;
  omitEmpty: boolean;
  pointer: boolean;
  inline: boolean;
}
interface OutValue {
  type: string;
  message?: string;
}
interface OutField extends OutValue {
  num: number;
  name: string;
  repeated?: true;
  map?: { key: 'string'; value: OutValue };
  omitEmpty?: true;
  inline?: true;
}

function walk(dir: string, out: string[]): void {
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (e === 'generated.proto') out.push(p);
  }
}

/** `k8s.io.api.core.v1` → `io.k8s.api.core.v1` (the OpenAPI definition prefix). */
const defPrefix = (pkg: string) => pkg.replace(/^k8s\.io\./, 'io.k8s.').replace(/^io\.k8s\.(\w+)_(\w+)\./, 'io.k8s.$1-$2.');

function stripComments(src: string): string {
  return src.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
}

function parseProto(src: string): { pkg: string; messages: Map<string, RawField[]> } {
  const text = stripComments(src);
  const pkg = /^\s*package\s+([\w.]+)\s*;/m.exec(text)?.[1];
  if (!pkg) throw new Error('no package line');
  const messages = new Map<string, RawField[]>();
  const msgRe = /message\s+(\w+)\s*\{([^{}]*)\}/g;
  for (let m = msgRe.exec(text); m; m = msgRe.exec(text)) {
    const fields: RawField[] = [];
    const fieldRe =
      /(optional|repeated|required)?\s*(map\s*<\s*([\w.]+)\s*,\s*([\w.]+)\s*>|[\w.]+)\s+(\w+)\s*=\s*(\d+)\s*(\[[^\]]*\])?\s*;/g;
    const body = m[2] ?? '';
    for (let f = fieldRe.exec(body); f; f = fieldRe.exec(body)) {
      const isMap = f[3] !== undefined;
      fields.push({
        label: f[1] ?? '',
        type: isMap ? 'map' : (f[2] ?? ''),
        name: f[5] ?? '',
        num: Number(f[6]),
        ...(isMap ? { mapKey: f[3], mapValue: f[4] } : {}),
      });
    }
    messages.set(m[1] ?? '', fields);
  }
  return { pkg, messages };
}

/** struct name → protobuf field number → Go facts, from a types.go file. */
function parseGoTypes(src: string): Map<string, Map<number, GoField>> {
  const out = new Map<string, Map<number, GoField>>();
  let fields: Map<number, GoField> | undefined;
  for (const line of src.split('\n')) {
    const start = /^type\s+(\w+)\s+struct\s*\{\s*$/.exec(line);
    if (start) {
      fields = new Map();
      out.set(start[1] ?? '', fields);
      continue;
    }
    if (line.startsWith('}')) {
      fields = undefined;
      continue;
    }
    const m = fields && /^\s*(\w+)(?:\s+([^\s`]+))?\s+`([^`]*)`/.exec(line);
    if (!fields || !m) continue;
    const tag = m[3] ?? '';
    const pb = /protobuf:"\w+,(\d+),/.exec(tag);
    const js = /json:"([^"]*)"/.exec(tag);
    if (!pb || !js) continue;
    const [jsonName = '', ...opts] = (js[1] ?? '').split(',');
    const goType = m[2] ?? m[1] ?? '';
    fields.set(Number(pb[1]), {
      json: jsonName,
      omitEmpty: opts.includes('omitempty'),
      pointer: goType.startsWith('*'),
      inline: opts.includes('inline'),
    });
  }
  return out;
}

function resolve(type: string, pkg: string): OutValue {
  if (SCALARS.has(type)) return { type };
  if (type === 'float' || type.startsWith('uint') || type.startsWith('sint') || type.includes('fixed'))
    throw new Error(`unsupported scalar ${type}`);
  const full = type.startsWith('.') ? type.slice(1) : `${pkg}.${type}`;
  const dot = full.lastIndexOf('.');
  return { type: 'message', message: `${defPrefix(full.slice(0, dot))}.${full.slice(dot + 1)}` };
}

function main(): void {
  const [root, outFile = 'src/api/gen/proto-tags.ts'] = process.argv.slice(2);
  if (!root) {
    console.error('usage: gen-proto-tags <proto-root> [out-file]');
    process.exit(2);
  }
  const files: string[] = [];
  walk(root, files);
  const messages = new Map<string, OutField[]>();
  for (const file of files) {
    const { pkg, messages: raw } = parseProto(readFileSync(file, 'utf8'));
    const goFile = join(dirname(file), 'types.go');
    const go = existsSync(goFile) ? parseGoTypes(readFileSync(goFile, 'utf8')) : new Map<string, Map<number, GoField>>();
    if (!existsSync(goFile)) console.error(`warning: no types.go beside ${file}: JSON names, omitempty and inline come from it`);
    for (const [name, fields] of raw) {
      const goFields = go.get(name);
      const out = fields.map((f): OutField => {
        const g = goFields?.get(f.num);
        const jsonName = g && g.json !== '' && g.json !== '-' ? g.json : f.name;
        if (g && g.json !== f.name && jsonName !== f.name) console.error(`note: ${name}.${f.name} has JSON name ${g.json}`);
        if (f.type === 'map') {
          if (f.mapKey !== 'string') throw new Error(`${name}.${f.name}: map key ${f.mapKey}`);
          return { num: f.num, name: jsonName, type: 'message', map: { key: 'string', value: resolve(f.mapValue ?? '', pkg) } };
        }
        const v = resolve(f.type, pkg);
        const o: OutField = { num: f.num, name: jsonName, ...v };
        if (f.label === 'repeated') o.repeated = true;
        if (g?.inline) o.inline = true;
        if (g && g.omitEmpty && !g.pointer && v.type !== 'message' && f.label !== 'repeated') o.omitEmpty = true;
        return o;
      });
      messages.set(`${defPrefix(pkg)}.${name}`, out);
    }
  }
  const order: string[] = [];
  const seen = new Set<string>();
  const queue = [...ROOTS];
  while (queue.length) {
    const def = queue.shift() ?? '';
    if (seen.has(def)) continue;
    seen.add(def);
    const fields = messages.get(def);
    if (!fields) throw new Error(`message ${def} not found under ${root}`);
    order.push(def);
    for (const f of fields) {
      if (f.message) queue.push(f.message);
      if (f.map?.value.message) queue.push(f.map.value.message);
    }
  }
  order.sort();
  const lit = (v: OutValue) => `type: '${v.type}'${v.message ? `, message: '${v.message}'` : ''}`;
  const lines = order.map((def) => {
    const fields = (messages.get(def) ?? []).slice().sort((a, b) => a.num - b.num);
    const body = fields
      .map((f) => {
        let s = `${f.num}: { name: '${f.name}', ${f.map ? `type: 'message', map: { key: 'string', value: { ${lit(f.map.value)} } }` : lit(f)}`;
        if (f.repeated) s += ', repeated: true';
        if (f.omitEmpty) s += ', omitEmpty: true';
        if (f.inline) s += ', inline: true';
        return `${s} }`;
      })
      .join(', ');
    return `  '${def}': { ${body} },`;
  });
  const header = [
    '// Generated by scripts/gen-proto-tags.ts from the Kubernetes 1.32 generated.proto files (structural facts only:',
    '// message and field names, field numbers, wire types). Do not edit by hand; rerun the generator instead.',
    '// omitEmpty marks non-pointer scalars whose JSON form drops the zero value; inline marks embedded structs',
    '// whose fields appear in the parent JSON object.',
    '',
    "export type ProtoScalar = 'string' | 'int32' | 'int64' | 'bool' | 'bytes' | 'double';",
    "export interface ProtoValue { type: ProtoScalar | 'message'; message?: string }",
    "export interface ProtoField extends ProtoValue { name: string; repeated?: true; map?: { key: 'string'; value: ProtoValue }; omitEmpty?: true; inline?: true }",
    'export type ProtoMessage = Readonly<Record<number, ProtoField>>;',
    '',
    '/** OpenAPI definition name → protobuf field number → field facts. */',
    'export const PROTO_TAGS: Readonly<Record<string, ProtoMessage>> = {',
  ];
  writeFileSync(outFile, [...header, ...lines, '};', ''].join('\n'));
  console.error(`wrote ${outFile}: ${order.length} messages`);
}

main();

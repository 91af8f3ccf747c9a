import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { PROTO_TAGS, type ProtoField, type ProtoValue } from '../gen/proto-tags.js';
import { STRING_LISTS, WELL_KNOWN } from './well-known.js';
import { protobufDefinitionFor } from './kinds.js';

// Cross-check the generated protobuf table against the official 1.32 OpenAPI document (reference data, read only).
const swaggerPath = resolve(process.cwd(), '../shared/reference/openapi/swagger.json');

interface Schema {
  type?: string;
  format?: string;
  $ref?: string;
  items?: Schema;
  additionalProperties?: Schema;
  properties?: Record<string, Schema>;
}

function compatible(v: ProtoValue, s: Schema): boolean {
  // ExtraValue is a Go []string: a message on the wire, a list of strings in JSON
  if (v.type === 'message' && STRING_LISTS.has(v.message ?? '')) return s.type === 'array' && s.items?.type === 'string';
  if (v.type === 'message') return s.$ref === `#/definitions/${v.message}`;
  if (v.type === 'string') return s.type === 'string' && s.format !== 'byte';
  if (v.type === 'bytes') return s.type === 'string' && s.format === 'byte';
  if (v.type === 'int32' || v.type === 'int64') return s.type === 'integer' && s.format === v.type;
  if (v.type === 'bool') return s.type === 'boolean';
  return s.type === 'number';
}

/** The JSON properties a message yields, with inline messages flattened. */
function jsonFields(def: string): Map<string, ProtoField> {
  const out = new Map<string, ProtoField>();
  for (const f of Object.values(PROTO_TAGS[def] ?? {})) {
    if (f.inline) for (const [k, v] of jsonFields(f.message ?? '')) out.set(k, v);
    else out.set(f.name, f);
  }
  return out;
}

test(
  'every generated message matches its OpenAPI definition field by field',
  { skip: !existsSync(swaggerPath) && 'reference OpenAPI absent' },
  () => {
    const swagger = JSON.parse(readFileSync(swaggerPath, 'utf8')) as { definitions: Record<string, Schema> };
    const problems: string[] = [];
    let checked = 0;
    // Embedded Go structs (VolumeSource, ProbeHandler, ...) have no definition of their own: their fields are checked in the parent.
    const inlineOnly = new Set(
      Object.values(PROTO_TAGS).flatMap((m) =>
        Object.values(m)
          .filter((f) => f.inline)
          .map((f) => f.message ?? ''),
      ),
    );
    assert.ok(inlineOnly.has('io.k8s.api.core.v1.VolumeSource'));
    for (const def of Object.keys(PROTO_TAGS)) {
      if (WELL_KNOWN[def] || inlineOnly.has(def)) continue;
      const schema = swagger.definitions[def];
      if (!schema) {
        problems.push(`${def}: no OpenAPI definition`);
        continue;
      }
      const props = schema.properties ?? {};
      const fields = jsonFields(def);
      for (const [name, f] of fields) {
        const p = props[name];
        if (!p) {
          problems.push(`${def}.${name}: not in OpenAPI`);
          continue;
        }
        const ok = f.map
          ? p.additionalProperties !== undefined && compatible(f.map.value, p.additionalProperties)
          : f.repeated
            ? p.type === 'array' && p.items !== undefined && compatible(f, p.items)
            : compatible(f, p);
        if (!ok) problems.push(`${def}.${name}: type mismatch ${JSON.stringify(f)} vs ${JSON.stringify(p)}`);
        checked++;
      }
      for (const name of Object.keys(props)) {
        if (name !== 'apiVersion' && name !== 'kind' && !fields.has(name)) problems.push(`${def}.${name}: missing from the protobuf table`);
      }
    }
    assert.deepEqual(problems, []);
    assert.ok(checked > 900, `only ${checked} fields checked`);
  },
);

test('every kind decodable from protobuf has its message in the table', () => {
  const kinds: Array<[string, string]> = [
    ['v1', 'Namespace'],
    ['v1', 'ConfigMap'],
    ['v1', 'Secret'],
    ['v1', 'Service'],
    ['v1', 'ServiceAccount'],
    ['v1', 'Pod'],
    ['v1', 'Node'],
    ['v1', 'Endpoints'],
    ['v1', 'Event'],
    ['v1', 'Binding'],
    ['apps/v1', 'Deployment'],
    ['apps/v1', 'ReplicaSet'],
    ['apps/v1', 'DaemonSet'],
    ['batch/v1', 'Job'],
    ['coordination.k8s.io/v1', 'Lease'],
    ['node.k8s.io/v1', 'RuntimeClass'],
    ['discovery.k8s.io/v1', 'EndpointSlice'],
    ['events.k8s.io/v1', 'Event'],
    ['policy/v1', 'Eviction'],
    ['autoscaling/v1', 'Scale'],
    ['v1', 'DeleteOptions'],
    ['authorization.k8s.io/v1', 'SubjectAccessReview'],
    ['authorization.k8s.io/v1', 'SelfSubjectAccessReview'],
    ['authorization.k8s.io/v1', 'LocalSubjectAccessReview'],
    ['authorization.k8s.io/v1', 'SelfSubjectRulesReview'],
    ['policy/v1', 'PodDisruptionBudget'],
    ['scheduling.k8s.io/v1', 'PriorityClass'],
  ];
  for (const [gv, kind] of kinds) {
    const def = protobufDefinitionFor(gv, kind);
    assert.ok(def && PROTO_TAGS[def], `${gv} ${kind}`);
    assert.equal(PROTO_TAGS[def]?.[1]?.name, kind === 'DeleteOptions' ? 'gracePeriodSeconds' : 'metadata');
  }
  assert.equal(protobufDefinitionFor('apps/v1', 'Pod'), undefined);
  assert.equal(protobufDefinitionFor('constructor', 'Pod'), undefined);
  assert.equal(protobufDefinitionFor('v1', 'toString'), undefined);
});

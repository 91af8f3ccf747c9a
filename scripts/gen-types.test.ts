import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './gen-schema.js';
import { generateTypes, typeNames } from './gen-types.js';

const root = repoRoot();
const refDir = join(root, '..', 'shared', 'reference', 'openapi', 'v3');
const skip = existsSync(refDir) ? false : `reference documents not found at ${refDir}`;

test('the type generator is deterministic and src/api/gen/types.ts is up to date', { skip }, () => {
  const a = generateTypes(refDir);
  assert.equal(a, generateTypes(refDir));
  const committed = readFileSync(join(root, 'src', 'api', 'gen', 'types.ts'), 'utf8');
  assert.equal(committed, a, 'src/api/gen/types.ts is stale: run node dist/scripts/gen-types.js');
});

test('generated types: required fields, top-level kinds, nullable times, no descriptions', { skip }, () => {
  const a = generateTypes(refDir);
  const block = (name: string) => {
    const m = new RegExp(`export interface ${name} \\{\\n([\\s\\S]*?)\\n\\}`).exec(a);
    assert.ok(m, `interface ${name} emitted`);
    return m[1] ?? '';
  };
  assert.match(block('Container'), /^ {2}name: string;$/m);
  assert.match(block('Container'), /^ {2}image\?: string;$/m);
  assert.match(block('PodSpec'), /^ {2}containers: Container\[\];$/m);
  assert.match(block('Pod'), /^ {2}metadata: ObjectMeta;$/m);
  assert.match(block('Pod'), /^ {2}apiVersion: string;$/m);
  assert.match(block('PodCondition'), /^ {2}lastProbeTime\?: Time \| null;$/m);
  assert.match(block('HTTPGetAction'), /^ {2}port: IntOrString;$/m);
  assert.match(block('ResourceRequirements'), /^ {2}limits\?: Record<string, Quantity>;$/m);
  assert.match(a, /^export type Quantity = string \| number;$/m);
  // the only `description` left is a field of the CRD schema types (JSONSchemaProps, printer columns, ...)
  assert.doesNotMatch(
    a
      .split('\n')
      .slice(3)
      .join('\n')
      .replace(/^ {2}description\?: string;$/gm, ''),
    /description/i,
  );
});

test('type names: short unless two groups share one; core keeps the short name', () => {
  const names = typeNames([
    'io.k8s.api.core.v1.Event',
    'io.k8s.api.events.v1.Event',
    'io.k8s.api.core.v1.Pod',
    'io.k8s.api.discovery.v1.EndpointPort',
    'io.k8s.api.core.v1.EndpointPort',
  ]);
  assert.equal(names.get('io.k8s.api.core.v1.Event'), 'Event');
  assert.equal(names.get('io.k8s.api.events.v1.Event'), 'EventsV1Event');
  assert.equal(names.get('io.k8s.api.discovery.v1.EndpointPort'), 'DiscoveryV1EndpointPort');
  assert.equal(names.get('io.k8s.api.core.v1.Pod'), 'Pod');
  assert.throws(() => typeNames(['io.k8s.api.a.v1.X', 'io.k8s.api.b.v1.AV1X', 'io.k8s.api.x.v1.X']), /two definitions/);
});

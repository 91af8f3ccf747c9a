import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evalJsonPath, parseJsonPath } from './jsonpath.js';

const obj = {
  spec: {
    replicas: 3,
    ports: [
      { name: 'http', port: 80 },
      { name: 'https', port: 443 },
    ],
  },
  status: {
    conditions: [
      { type: 'Ready', status: 'True' },
      { type: 'Synced', status: 'False' },
    ],
  },
};
const run = (p: string) => evalJsonPath(parseJsonPath(p), obj);

test('fields, indexes, wildcards and filters', () => {
  assert.deepEqual(run('.spec.replicas'), [3]);
  assert.deepEqual(run('{.spec.replicas}'), [3]);
  assert.deepEqual(run('.spec.ports[1].port'), [443]);
  assert.deepEqual(run('.spec.ports[-1].name'), ['https']);
  assert.deepEqual(run('.spec.ports[*].name'), ['http', 'https']);
  assert.deepEqual(run('.status.conditions[?(@.type=="Ready")].status'), ['True']);
  assert.deepEqual(run(".status.conditions[?(@.type!='Ready')].type"), ['Synced']);
  assert.deepEqual(run(".spec['replicas']"), [3]);
  assert.deepEqual(run('.spec.missing.deeper'), []);
  assert.deepEqual(run('.'), [obj]);
});

test('malformed paths say what is wrong', () => {
  assert.throws(() => parseJsonPath('spec.replicas'), /paths start with "."/);
  assert.throws(() => parseJsonPath('.spec..replicas'), /empty field name/);
  assert.throws(() => parseJsonPath('.spec.ports[1'), /unterminated \[/);
  assert.throws(() => parseJsonPath('.spec.ports[?(@.a > 1)]'), /unsupported filter/);
});

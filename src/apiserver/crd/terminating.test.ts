import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KindDef } from '../../api/kind.js';
import { configMapKind } from '../../api/kinds/core/configmap.js';
import { StatusError } from '../../base/errors.js';
import type { AdmissionRequest } from '../admission/plugin.js';
import { refuseWhileTerminating } from './terminating.js';

const widget: KindDef = { ...configMapKind, group: 'g.example.com', kind: 'Widget', plural: 'widgets', storageVersion: 'v1' };
const req = (kind: KindDef, operation: AdmissionRequest['operation']): AdmissionRequest => ({
  operation,
  kind,
  subresource: undefined,
  namespace: 'default',
  name: 'a',
  object: undefined,
  oldObject: undefined,
  user: { name: 'u', groups: [] },
  dryRun: false,
  warn: () => undefined,
});

test('creates of a terminating CRD kind are refused with 405; other writes and kinds pass', () => {
  const plugin = refuseWhileTerminating((g, p) => g === 'g.example.com' && p === 'widgets');
  assert.throws(
    () => plugin.validate!(req(widget, 'CREATE')),
    (e: unknown) =>
      e instanceof StatusError && e.code === 405 && e.message === 'create not allowed while custom resource definition is terminating',
  );
  assert.doesNotThrow(() => plugin.validate!(req(widget, 'UPDATE')));
  assert.doesNotThrow(() => plugin.validate!(req(widget, 'DELETE')));
  assert.doesNotThrow(() => plugin.validate!(req(configMapKind, 'CREATE')));
});

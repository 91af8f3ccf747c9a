import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CustomResourceDefinition } from '../../api/gen/types.js';
import { addTaken, desiredStatus, type TakenNames } from './conditions.js';

const crd = (plural: string, kind: string, shortNames: string[] = []): CustomResourceDefinition => ({
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: `${plural}.g.example.com` },
  spec: {
    group: 'g.example.com',
    scope: 'Namespaced',
    names: { plural, singular: plural.slice(0, -1), kind, listKind: `${kind}List`, shortNames },
    versions: [
      { name: 'v1beta1', served: true, storage: false },
      { name: 'v1', served: true, storage: true },
    ],
  },
});
const none = (): TakenNames => ({ resources: new Set(), kinds: new Set() });
const NOW = '2026-01-01T00:00:00Z';
const cond = (s: ReturnType<typeof desiredStatus>, type: string) => s.conditions?.find((c) => c.type === type);

test('fresh names are accepted and the CRD established, the storage version recorded', () => {
  const s = desiredStatus(crd('widgets', 'Widget', ['wd']), none(), NOW);
  assert.deepEqual(s.acceptedNames, { plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList', shortNames: ['wd'] });
  assert.deepEqual(cond(s, 'NamesAccepted'), {
    type: 'NamesAccepted',
    status: 'True',
    reason: 'NoConflicts',
    message: 'no conflicts found',
    lastTransitionTime: NOW,
  });
  assert.equal(cond(s, 'Established')?.reason, 'InitialNamesAccepted');
  assert.deepEqual(s.storedVersions, ['v1']);
});

test('names another CRD of the group holds are refused with upstream reasons', () => {
  const taken = none();
  addTaken(taken, { plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList', shortNames: ['wd'] });
  const plural = desiredStatus(crd('widgets', 'Gizmo'), taken, NOW);
  assert.deepEqual(cond(plural, 'NamesAccepted'), {
    type: 'NamesAccepted',
    status: 'False',
    // plural and singular both conflict: the last conflict found is the one reported, as upstream
    reason: 'SingularConflict',
    message: '"widget" is already in use',
    lastTransitionTime: NOW,
  });
  assert.equal(cond(plural, 'Established')?.status, 'False');
  assert.equal(cond(plural, 'Established')?.reason, 'NotAccepted');
  assert.equal(plural.acceptedNames?.plural, '', 'the conflicting plural is not accepted');
  assert.equal(plural.acceptedNames?.kind, 'Gizmo');
  // Widget and WidgetList are both taken: the list kind, checked last, is reported
  assert.equal(cond(desiredStatus(crd('gizmos', 'Widget'), taken, NOW), 'NamesAccepted')?.reason, 'ListKindConflict');
  assert.equal(cond(desiredStatus(crd('gizmos', 'Gizmo', ['wd']), taken, NOW), 'NamesAccepted')?.reason, 'ShortNamesConflict');
});

test('names already accepted stay accepted; storedVersions only grow', () => {
  const c = crd('widgets', 'Widget');
  c.status = { acceptedNames: { plural: 'widgets', kind: 'Widget' }, storedVersions: ['v1beta1'] };
  const taken = none();
  addTaken(taken, { plural: 'widgets', kind: 'Widget' });
  const s = desiredStatus(c, taken, NOW);
  assert.equal(cond(s, 'NamesAccepted')?.status, 'True');
  assert.deepEqual(s.storedVersions, ['v1beta1', 'v1']);
});

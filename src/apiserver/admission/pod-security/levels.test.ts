// Namespace labels to policies (defaults, the warn-follows-enforce rule, fail-closed enforce and
// fail-open audit/warn), and the server's --pod-security-default and --pod-security-exempt values.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDefaultPolicy, parseExemptions } from './config.js';
import { formatLevelVersion, PRIVILEGED_POLICY, policyFromLabels, type Policy } from './levels.js';

const show = (p: Policy) =>
  `enforce=${formatLevelVersion(p.enforce)} audit=${formatLevelVersion(p.audit)} warn=${formatLevelVersion(p.warn)}`;
const label = (m: string) => `pod-security.kubernetes.io/${m}`;

test('no labels: the defaults', () => {
  assert.equal(
    show(policyFromLabels(undefined, PRIVILEGED_POLICY).policy),
    'enforce=privileged:latest audit=privileged:latest warn=privileged:latest',
  );
  const d = parseDefaultPolicy('enforce=baseline');
  assert.equal(show(policyFromLabels({ app: 'x' }, d).policy), 'enforce=baseline:latest audit=privileged:latest warn=privileged:latest');
});

test('levels and versions from labels; warn follows a stricter enforce unless labelled', () => {
  let r = policyFromLabels({ [label('enforce')]: 'restricted', [label('enforce-version')]: 'v1.30' }, PRIVILEGED_POLICY);
  assert.deepEqual(r.errors, []);
  assert.equal(show(r.policy), 'enforce=restricted:v1.30 audit=privileged:latest warn=restricted:v1.30');
  r = policyFromLabels({ [label('enforce')]: 'restricted', [label('warn')]: 'baseline' }, PRIVILEGED_POLICY);
  assert.equal(show(r.policy), 'enforce=restricted:latest audit=privileged:latest warn=baseline:latest');
  r = policyFromLabels({ [label('enforce')]: 'baseline', [label('warn-version')]: 'v1.20' }, PRIVILEGED_POLICY);
  assert.equal(show(r.policy), 'enforce=baseline:latest audit=privileged:latest warn=baseline:v1.20');
  r = policyFromLabels({ [label('audit')]: 'restricted', [label('audit-version')]: 'latest' }, PRIVILEGED_POLICY);
  assert.equal(show(r.policy), 'enforce=privileged:latest audit=restricted:latest warn=privileged:latest');
});

test('bad values: errors naming the label; enforce fails closed, warn and audit open', () => {
  const r = policyFromLabels(
    { [label('enforce')]: 'strict', [label('warn')]: 'loud', [label('audit-version')]: '1.30', [label('enforce-version')]: 'v2.0' },
    PRIVILEGED_POLICY,
  );
  assert.deepEqual(
    r.errors.map((e) => `${e.field}=${String(e.value)}: ${e.detail}`),
    [
      'metadata.labels[pod-security.kubernetes.io/enforce]=strict: must be one of privileged, baseline, restricted',
      'metadata.labels[pod-security.kubernetes.io/enforce-version]=v2.0: must be "latest" or "v1.x"',
      'metadata.labels[pod-security.kubernetes.io/audit-version]=1.30: must be "latest" or "v1.x"',
      'metadata.labels[pod-security.kubernetes.io/warn]=loud: must be one of privileged, baseline, restricted',
    ],
  );
  assert.equal(show(r.policy), 'enforce=restricted:latest audit=privileged:latest warn=privileged:latest');
  assert.equal(policyFromLabels({ [label('enforce-version')]: 'v1.01' }, PRIVILEGED_POLICY).errors.length, 1);
  assert.equal(policyFromLabels({ [label('enforce-version')]: 'v1.0' }, PRIVILEGED_POLICY).errors.length, 0);
});

test('--pod-security-default', () => {
  assert.equal(show(parseDefaultPolicy('')), 'enforce=privileged:latest audit=privileged:latest warn=privileged:latest');
  assert.equal(
    show(parseDefaultPolicy('enforce=baseline, warn=restricted:v1.30,audit=restricted')),
    'enforce=baseline:latest audit=restricted:latest warn=restricted:v1.30',
  );
  assert.throws(() => parseDefaultPolicy('enforce'), /--pod-security-default: "enforce": expected MODE=LEVEL\[:VERSION\]/);
  assert.throws(() => parseDefaultPolicy('block=baseline'), /MODE one of enforce, audit, warn/);
  assert.throws(() => parseDefaultPolicy('enforce=strict'), /enforce level "strict": must be one of privileged, baseline, restricted/);
  assert.throws(() => parseDefaultPolicy('warn=baseline:1.30'), /warn version "1.30": must be "latest" or "v1.x"/);
  assert.throws(() => parseDefaultPolicy('warn=baseline,warn=restricted'), /warn is given twice/);
});

test('--pod-security-exempt', () => {
  assert.deepEqual(parseExemptions(['namespace=kube-system', 'user=alice', 'runtimeClass=kata', 'namespace=ci']), {
    namespaces: ['kube-system', 'ci'],
    usernames: ['alice'],
    runtimeClasses: ['kata'],
  });
  for (const bad of ['kube-system', 'group=admins', 'namespace=', 'toString=x']) {
    assert.throws(() => parseExemptions([bad]), /expected namespace=NAME, user=NAME or runtimeClass=NAME/, bad);
  }
});

// The evaluator: which checks run at each level and version, in upstream's order, with overrides,
// versions past the newest check and latest meaning the newest, and Windows pods at restricted.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PodSpec } from '../../../api/gen/types.js';
import { createEvaluator, forbiddenDetail, wouldViolate } from './evaluator.js';
import { LATEST, v1, type LevelVersion } from './levels.js';

const ev = createEvaluator();
const plain: PodSpec = { containers: [{ name: 'c', image: 'busybox' }] };
const at = (level: LevelVersion['level'], version = LATEST): LevelVersion => ({ level, version });

test('latest is v1.32, the newest version a check changed in', () => {
  assert.equal(ev.newestMinor, 32);
});

test('a plain pod: baseline allows it; restricted lists its reasons in upstream order', () => {
  assert.equal(ev.evaluate(at('baseline'), {}, plain).allowed, true);
  assert.equal(ev.evaluate(at('privileged'), {}, { ...plain, hostNetwork: true }).allowed, true);
  const r = ev.evaluate(at('restricted'), {}, plain);
  assert.equal(r.allowed, false);
  assert.deepEqual(r.reasons, ['allowPrivilegeEscalation != false', 'unrestricted capabilities', 'runAsNonRoot != true', 'seccompProfile']);
  assert.equal(
    wouldViolate(at('restricted'), r),
    'would violate PodSecurity "restricted:latest": allowPrivilegeEscalation != false (container "c" must set securityContext.allowPrivilegeEscalation=false), ' +
      'unrestricted capabilities (container "c" must set securityContext.capabilities.drop=["ALL"]), ' +
      'runAsNonRoot != true (pod or container "c" must set securityContext.runAsNonRoot=true), ' +
      'seccompProfile (pod or container "c" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")',
  );
});

const compliant: PodSpec = {
  securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
  containers: [{ name: 'c', image: 'busybox', securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } } }],
};

test('a compliant pod passes restricted at every version', () => {
  for (const version of [LATEST, v1(0), v1(19), v1(22), v1(25), v1(32), v1(40)]) {
    assert.equal(ev.evaluate(at('restricted', version), {}, compliant).allowed, true, JSON.stringify(version));
  }
});

test('baseline failures come first, then restricted; hostPath is reported once (restricted volumes override it)', () => {
  const spec: PodSpec = { ...compliant, hostPID: true, volumes: [{ name: 'root', hostPath: { path: '/' } }] };
  const r = ev.evaluate(at('restricted'), {}, spec);
  assert.equal(
    forbiddenDetail(r),
    'host namespaces (hostPID=true), restricted volume types (volume "root" uses restricted volume type "hostPath")',
  );
  const b = ev.evaluate(at('baseline'), {}, spec);
  assert.equal(forbiddenDetail(b), 'host namespaces (hostPID=true), hostPath volumes (volume "root")');
});

test('versions: checks newer than the version asked for do not run; older behaviour does', () => {
  const root: PodSpec = { ...compliant, securityContext: { ...compliant.securityContext, runAsUser: 0 } };
  assert.equal(ev.evaluate(at('restricted', v1(22)), {}, root).allowed, true); // runAsUser is a v1.23 check
  assert.deepEqual(ev.evaluate(at('restricted', v1(23)), {}, root).reasons, ['runAsUser=0']);
  // before v1.22 restricted had no capabilities check of its own: the baseline one applies
  const caps: PodSpec = { containers: [{ name: 'c', image: 'x', securityContext: { capabilities: { add: ['SYS_ADMIN'] } } }] };
  assert.ok(ev.evaluate(at('restricted', v1(21)), {}, caps).reasons.includes('non-default capabilities'));
  assert.ok(ev.evaluate(at('restricted', v1(22)), {}, caps).reasons.includes('unrestricted capabilities'));
  assert.ok(!ev.evaluate(at('restricted', v1(22)), {}, caps).reasons.includes('non-default capabilities'));
  // a version after the newest behaves as the newest
  const sysctl: PodSpec = { ...plain, securityContext: { sysctls: [{ name: 'net.ipv4.tcp_rmem', value: '1' }] } };
  assert.equal(ev.evaluate(at('baseline', v1(31)), {}, sysctl).allowed, false);
  assert.equal(ev.evaluate(at('baseline', v1(99)), {}, sysctl).allowed, true);
});

test('Windows pods: restricted drops the Linux-only checks from v1.25, keeps runAsNonRoot and the baseline', () => {
  const win: PodSpec = { os: { name: 'windows' }, containers: [{ name: 'c', image: 'mcr.microsoft.com/windows/nanoserver' }] };
  assert.deepEqual(ev.evaluate(at('restricted'), {}, win).reasons, ['runAsNonRoot != true']);
  assert.deepEqual(ev.evaluate(at('restricted', v1(24)), {}, win).reasons, [
    'allowPrivilegeEscalation != false',
    'unrestricted capabilities',
    'runAsNonRoot != true',
    'seccompProfile',
  ]);
  const nonRoot: PodSpec = { ...win, securityContext: { runAsNonRoot: true } };
  assert.equal(ev.evaluate(at('restricted'), {}, nonRoot).allowed, true);
  const hostProcess: PodSpec = {
    ...nonRoot,
    hostNetwork: true,
    securityContext: { runAsNonRoot: true, windowsOptions: { hostProcess: true } },
  };
  assert.equal(
    forbiddenDetail(ev.evaluate(at('restricted'), {}, hostProcess)),
    'host namespaces (hostNetwork=true), hostProcess (pod must not set securityContext.windowsOptions.hostProcess=true)',
  );
});

// The restricted checks one by one, with upstream's texts, and their Windows relaxations from v1.25.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Container } from '../../../api/gen/types.js';
import type { CheckResult } from './check.js';
import { runCheck } from './testing/run-check.js';
import { capabilitiesRestricted } from './checks-capabilities.js';
import { allowPrivilegeEscalation, restrictedVolumes, runAsNonRoot, runAsUser, seccompProfileRestricted } from './checks-restricted.js';

const c = (name: string, extra: Partial<Container> = {}): Container => ({ name, image: 'busybox', ...extra });
const fails = (r: CheckResult, reason: string, detail: string) => assert.deepEqual(r, { allowed: false, reason, detail });
const passes = (r: CheckResult) => assert.deepEqual(r, { allowed: true });
const windows = { os: { name: 'windows' } };

test('allowPrivilegeEscalation must be false; Windows pods exempt from v1.25', () => {
  passes(runCheck(allowPrivilegeEscalation, { containers: [c('a', { securityContext: { allowPrivilegeEscalation: false } })] }));
  const spec = {
    initContainers: [c('a')],
    containers: [c('b', { securityContext: { allowPrivilegeEscalation: true } }), c('c', { securityContext: {} })],
  };
  fails(
    runCheck(allowPrivilegeEscalation, spec),
    'allowPrivilegeEscalation != false',
    'containers "a", "b", "c" must set securityContext.allowPrivilegeEscalation=false',
  );
  passes(runCheck(allowPrivilegeEscalation, { ...spec, ...windows }));
  fails(
    runCheck(allowPrivilegeEscalation, { ...spec, ...windows }, {}, 24),
    'allowPrivilegeEscalation != false',
    'containers "a", "b", "c" must set securityContext.allowPrivilegeEscalation=false',
  );
  // linux is not windows
  assert.equal(runCheck(allowPrivilegeEscalation, { ...spec, os: { name: 'linux' } }).allowed, false);
});

test('capabilities: drop ALL, add only NET_BIND_SERVICE; Windows exempt from v1.25', () => {
  passes(
    runCheck(capabilitiesRestricted, {
      containers: [c('a', { securityContext: { capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE'] } } })],
    }),
  );
  const spec = {
    containers: [
      c('a', { securityContext: { capabilities: { add: ['FOO', 'BAR'] } } }),
      c('b', { securityContext: { capabilities: { drop: ['KILL'], add: ['BAR', 'BAZ'] } } }),
      c('c', { securityContext: { capabilities: { drop: ['ALL'], add: ['CHOWN', 'NET_BIND_SERVICE'] } } }),
    ],
  };
  fails(
    runCheck(capabilitiesRestricted, spec),
    'unrestricted capabilities',
    'containers "a", "b" must set securityContext.capabilities.drop=["ALL"]; containers "a", "b", "c" must not include "BAR", "BAZ", "CHOWN", "FOO" in securityContext.capabilities.add',
  );
  fails(
    runCheck(capabilitiesRestricted, { containers: [c('a')] }),
    'unrestricted capabilities',
    'container "a" must set securityContext.capabilities.drop=["ALL"]',
  );
  passes(runCheck(capabilitiesRestricted, { ...spec, ...windows }));
  assert.equal(runCheck(capabilitiesRestricted, { ...spec, ...windows }, {}, 24).allowed, false);
});

test('runAsNonRoot: pod-level true covers containers; explicit false wins', () => {
  passes(runCheck(runAsNonRoot, { securityContext: { runAsNonRoot: true }, containers: [c('a'), c('b')] }));
  passes(runCheck(runAsNonRoot, { containers: [c('a', { securityContext: { runAsNonRoot: true } })] }));
  fails(
    runCheck(runAsNonRoot, { containers: [c('a')] }),
    'runAsNonRoot != true',
    'pod or container "a" must set securityContext.runAsNonRoot=true',
  );
  fails(
    runCheck(runAsNonRoot, { securityContext: { runAsNonRoot: false }, containers: [c('a')] }),
    'runAsNonRoot != true',
    'pod must not set securityContext.runAsNonRoot=false',
  );
  fails(
    runCheck(runAsNonRoot, {
      securityContext: { runAsNonRoot: true },
      containers: [c('a'), c('c', { securityContext: { runAsNonRoot: false } }), c('d', { securityContext: { runAsNonRoot: false } })],
    }),
    'runAsNonRoot != true',
    'containers "c", "d" must not set securityContext.runAsNonRoot=false',
  );
  fails(
    runCheck(runAsNonRoot, { containers: [c('a'), c('b')] }),
    'runAsNonRoot != true',
    'pod or containers "a", "b" must set securityContext.runAsNonRoot=true',
  );
});

test('runAsUser must not be 0 (from v1.23)', () => {
  passes(runCheck(runAsUser, { securityContext: { runAsUser: 1000 }, containers: [c('a')] }));
  fails(runCheck(runAsUser, { securityContext: { runAsUser: 0 } }), 'runAsUser=0', 'pod must not set runAsUser=0');
  fails(
    runCheck(runAsUser, {
      containers: [c('a'), c('c', { securityContext: { runAsUser: 0 } }), c('d', { securityContext: { runAsUser: 0 } })],
    }),
    'runAsUser=0',
    'containers "c", "d" must not set runAsUser=0',
  );
  assert.equal(runAsUser.versions[0]?.minimumVersion.minor, 23);
});

test('restricted volume types: the first restricted source of each volume', () => {
  passes(
    runCheck(restrictedVolumes, {
      volumes: [
        { name: 'a', configMap: { name: 'x' } },
        { name: 'b', secret: {} },
        { name: 'c', emptyDir: {} },
        { name: 'd', projected: { sources: [] } },
        { name: 'e', persistentVolumeClaim: { claimName: 'p' } },
        { name: 'f', downwardAPI: {} },
        { name: 'g', csi: { driver: 'x' } },
        { name: 'h', ephemeral: {} },
      ],
    }),
  );
  fails(
    runCheck(restrictedVolumes, {
      volumes: [
        { name: 'a', emptyDir: {} },
        { name: 'b', hostPath: { path: '/' } },
        { name: 'c', nfs: { server: 's', path: '/' } },
        { name: 'd', hostPath: { path: '/d' } },
        { name: 'e' },
      ],
    }),
    'restricted volume types',
    'volumes "b", "c", "d", "e" use restricted volume types "hostPath", "nfs", "unknown"',
  );
  fails(
    runCheck(restrictedVolumes, { volumes: [{ name: 'root', hostPath: { path: '/' } }] }),
    'restricted volume types',
    'volume "root" uses restricted volume type "hostPath"',
  );
});

test('seccomp restricted: RuntimeDefault or Localhost required; Windows exempt from v1.25', () => {
  passes(runCheck(seccompProfileRestricted, { securityContext: { seccompProfile: { type: 'RuntimeDefault' } }, containers: [c('a')] }));
  passes(
    runCheck(seccompProfileRestricted, {
      containers: [c('a', { securityContext: { seccompProfile: { type: 'Localhost', localhostProfile: 'x' } } })],
    }),
  );
  fails(
    runCheck(seccompProfileRestricted, { containers: [c('a')] }),
    'seccompProfile',
    'pod or container "a" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"',
  );
  fails(
    runCheck(seccompProfileRestricted, { securityContext: { seccompProfile: { type: 'Unconfined' } }, containers: [c('a')] }),
    'seccompProfile',
    'pod must not set securityContext.seccompProfile.type to "Unconfined"',
  );
  const unconfined = { securityContext: { seccompProfile: { type: 'Unconfined' } } };
  fails(
    runCheck(seccompProfileRestricted, {
      securityContext: { seccompProfile: { type: 'RuntimeDefault' } },
      containers: [c('a'), c('c', unconfined), c('d', unconfined)],
    }),
    'seccompProfile',
    'containers "c", "d" must not set securityContext.seccompProfile.type to "Unconfined"',
  );
  passes(runCheck(seccompProfileRestricted, { containers: [c('a')], ...windows }));
  assert.equal(runCheck(seccompProfileRestricted, { containers: [c('a')], ...windows }, {}, 24).allowed, false);
});

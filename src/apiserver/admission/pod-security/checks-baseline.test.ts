// The baseline checks one by one: a spec each passes and one each fails, with upstream's reason and
// detail texts (those of k8s.io/pod-security-admission v0.32's own check tests).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Container } from '../../../api/gen/types.js';
import type { CheckResult } from './check.js';
import { runCheck } from './testing/run-check.js';
import { capabilitiesBaseline } from './checks-capabilities.js';
import { hostNamespaces, hostPathVolumes, hostPorts, privileged, windowsHostProcess } from './checks-host.js';
import { appArmorProfile, procMount, seccompProfileBaseline, seLinuxOptions, sysctls } from './checks-profiles.js';

const c = (name: string, extra: Partial<Container> = {}): Container => ({ name, image: 'busybox', ...extra });
const fails = (r: CheckResult, reason: string, detail: string) => assert.deepEqual(r, { allowed: false, reason, detail });
const passes = (r: CheckResult) => assert.deepEqual(r, { allowed: true });

test('hostNamespaces', () => {
  passes(runCheck(hostNamespaces, { hostNetwork: false }));
  fails(
    runCheck(hostNamespaces, { hostNetwork: true, hostPID: true, hostIPC: true }),
    'host namespaces',
    'hostNetwork=true, hostPID=true, hostIPC=true',
  );
});

test('hostPathVolumes', () => {
  passes(runCheck(hostPathVolumes, { volumes: [{ name: 'e', emptyDir: {} }] }));
  fails(
    runCheck(hostPathVolumes, {
      volumes: [
        { name: 'a', hostPath: { path: '/' } },
        { name: 'b', hostPath: { path: '/b' } },
        { name: 'c', emptyDir: {} },
      ],
    }),
    'hostPath volumes',
    'volumes "a", "b"',
  );
});

test('hostPorts: sorted, unique ports; uses/use by the number of containers', () => {
  passes(runCheck(hostPorts, { containers: [c('a', { ports: [{ containerPort: 80 }, { containerPort: 81, hostPort: 0 }] })] }));
  fails(
    runCheck(hostPorts, { containers: [c('a'), c('b', { ports: [{ containerPort: 1, hostPort: 20 }] })] }),
    'hostPort',
    'container "b" uses hostPort 20',
  );
  fails(
    runCheck(hostPorts, {
      initContainers: [
        c('b', {
          ports: [
            { containerPort: 1, hostPort: 20 },
            { containerPort: 2, hostPort: 10 },
          ],
        }),
      ],
      containers: [
        c('a'),
        c('c', {
          ports: [
            { containerPort: 1, hostPort: 30 },
            { containerPort: 3, hostPort: 20 },
          ],
        }),
      ],
    }),
    'hostPort',
    'containers "b", "c" use hostPorts 10, 20, 30',
  );
});

test('privileged: init, regular and ephemeral containers', () => {
  passes(runCheck(privileged, { containers: [c('a', { securityContext: { privileged: false } })] }));
  fails(
    runCheck(privileged, {
      containers: [c('a'), c('d', { securityContext: { privileged: true } })],
      ephemeralContainers: [{ name: 'e', image: 'x', securityContext: { privileged: true } }],
    }),
    'privileged',
    'containers "d", "e" must not set securityContext.privileged=true',
  );
});

test('windowsHostProcess', () => {
  passes(runCheck(windowsHostProcess, { securityContext: { windowsOptions: { hostProcess: false } } }));
  const hp = { securityContext: { windowsOptions: { hostProcess: true } } };
  fails(
    runCheck(windowsHostProcess, { securityContext: hp.securityContext, containers: [c('d'), c('e', hp), c('f', hp)] }),
    'hostProcess',
    'pod and containers "e", "f" must not set securityContext.windowsOptions.hostProcess=true',
  );
});

test('capabilities beyond the default set', () => {
  passes(
    runCheck(capabilitiesBaseline, { containers: [c('a', { securityContext: { capabilities: { add: ['CHOWN', 'NET_BIND_SERVICE'] } } })] }),
  );
  fails(
    runCheck(capabilitiesBaseline, {
      containers: [
        c('a', { securityContext: { capabilities: { add: ['FOO', 'BAR'] } } }),
        c('b', { securityContext: { capabilities: { add: ['BAR', 'BAZ', 'CHOWN'] } } }),
        c('c', { securityContext: { capabilities: { add: ['CHOWN'] } } }),
      ],
    }),
    'non-default capabilities',
    'containers "a", "b" must not include "BAR", "BAZ", "FOO" in securityContext.capabilities.add',
  );
});

test('AppArmor: fields and the beta annotations', () => {
  passes(runCheck(appArmorProfile, { securityContext: { appArmorProfile: { type: 'RuntimeDefault' } } }));
  passes(runCheck(appArmorProfile, {}, { annotations: { 'container.apparmor.security.beta.kubernetes.io/a': 'localhost/x' } }));
  fails(
    runCheck(appArmorProfile, { securityContext: { appArmorProfile: { type: 'Unconfined' } } }),
    'forbidden AppArmor profile',
    'pod must not set AppArmor profile type to "Unconfined"',
  );
  fails(
    runCheck(appArmorProfile, { containers: [c('foo', { securityContext: { appArmorProfile: { type: 'Unconfined' } } })] }),
    'forbidden AppArmor profile',
    'container "foo" must not set AppArmor profile type to "Unconfined"',
  );
  fails(
    runCheck(
      appArmorProfile,
      {},
      {
        annotations: {
          'container.apparmor.security.beta.kubernetes.io/b': 'unconfined',
          'container.apparmor.security.beta.kubernetes.io/a': 'bogus',
        },
      },
    ),
    'forbidden AppArmor profiles',
    'annotations must not set AppArmor profile type to "container.apparmor.security.beta.kubernetes.io/a="bogus"", "container.apparmor.security.beta.kubernetes.io/b="unconfined""',
  );
});

test('SELinux options: types by version, user and role', () => {
  passes(runCheck(seLinuxOptions, { securityContext: { seLinuxOptions: { type: 'container_t', level: 's0:c1' } } }));
  const bad = { seLinuxOptions: { type: 'bar', user: 'u', role: 'r' } };
  fails(
    runCheck(seLinuxOptions, {
      securityContext: { seLinuxOptions: { type: 'foo' } },
      containers: [c('d'), c('e', { securityContext: bad }), c('f', { securityContext: bad }), c('g', { securityContext: bad })],
    }),
    'seLinuxOptions',
    'pod and containers "e", "f", "g" set forbidden securityContext.seLinuxOptions: types "bar", "foo"; user may not be set; role may not be set',
  );
  fails(
    runCheck(seLinuxOptions, { securityContext: { seLinuxOptions: { role: 'r' } } }),
    'seLinuxOptions',
    'pod set forbidden securityContext.seLinuxOptions: role may not be set',
  );
  const engine = { securityContext: { seLinuxOptions: { type: 'container_engine_t' } } };
  passes(runCheck(seLinuxOptions, engine, {}, 31));
  fails(
    runCheck(seLinuxOptions, engine, {}, 30),
    'seLinuxOptions',
    'pod set forbidden securityContext.seLinuxOptions: type "container_engine_t"',
  );
});

test('seccomp baseline: fields from v1.19, annotations before', () => {
  passes(runCheck(seccompProfileBaseline, {}));
  passes(runCheck(seccompProfileBaseline, { securityContext: { seccompProfile: { type: 'Localhost', localhostProfile: 'p.json' } } }));
  const unconfined = { securityContext: { seccompProfile: { type: 'Unconfined' } } };
  fails(
    runCheck(seccompProfileBaseline, { ...unconfined, containers: [c('a'), c('c', unconfined), c('d', unconfined)] }),
    'seccompProfile',
    'pod and containers "c", "d" must not set securityContext.seccompProfile.type to "Unconfined"',
  );
  fails(
    runCheck(
      seccompProfileBaseline,
      { containers: [c('a'), c('b')] },
      {
        annotations: {
          'seccomp.security.alpha.kubernetes.io/pod': 'unconfined',
          'container.seccomp.security.alpha.kubernetes.io/a': 'unconfined',
          'container.seccomp.security.alpha.kubernetes.io/b': 'unknown',
        },
      },
      18,
    ),
    'seccompProfile',
    'forbidden annotations container.seccomp.security.alpha.kubernetes.io/a="unconfined", container.seccomp.security.alpha.kubernetes.io/b="unknown", seccomp.security.alpha.kubernetes.io/pod="unconfined"',
  );
  // from v1.19 the annotations no longer count
  passes(runCheck(seccompProfileBaseline, {}, { annotations: { 'seccomp.security.alpha.kubernetes.io/pod': 'unconfined' } }, 19));
});

test('procMount', () => {
  passes(runCheck(procMount, { containers: [c('a', { securityContext: { procMount: 'Default' } }), c('b')] }));
  fails(
    runCheck(procMount, { hostUsers: false, containers: [c('a', { securityContext: { procMount: 'Unmasked' } })] }),
    'procMount',
    'container "a" must not set securityContext.procMount to "Unmasked"',
  );
});

test('sysctls: the safe set grows with the version', () => {
  const with_ = (...names: string[]) => ({ securityContext: { sysctls: names.map((name) => ({ name, value: '1' })) } });
  passes(runCheck(sysctls, with_('kernel.shm_rmid_forced', 'net.ipv4.tcp_rmem')));
  fails(runCheck(sysctls, with_('a', 'kernel.shm_rmid_forced', 'b')), 'forbidden sysctls', 'a, b');
  fails(runCheck(sysctls, with_('net.ipv4.ip_local_reserved_ports'), {}, 26), 'forbidden sysctls', 'net.ipv4.ip_local_reserved_ports');
  passes(runCheck(sysctls, with_('net.ipv4.ip_local_reserved_ports'), {}, 27));
  fails(runCheck(sysctls, with_('net.ipv4.tcp_keepalive_time'), {}, 28), 'forbidden sysctls', 'net.ipv4.tcp_keepalive_time');
  fails(runCheck(sysctls, with_('net.ipv4.tcp_wmem'), {}, 31), 'forbidden sysctls', 'net.ipv4.tcp_wmem');
  passes(runCheck(sysctls, with_('net.ipv4.tcp_wmem'), {}, 32));
});

// The agent's side of the isolation autopilot, through one pod sync against the fake runtime: the
// sandbox handler a Windows pod gets from its isolation pin, the conflicts and missing handlers
// that stop it with an event, and which manifest of the image's index it pulls for that isolation.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Pod } from '../../api/gen/types.js';
import { parseWindowsVersion } from '../../api/scheduling/windows-isolation.js';
import type { ImagePlatformEntry, WindowsHost } from '../../api/scheduling/windows-pod-isolation.js';
import { realClock } from '../../base/clock.js';
import { nullLogger } from '../../base/log.js';
import { ImageFactsError, type ImageFactsSource } from '../../client/registry/image-facts.js';
import type { RestClient } from '../../client/rest-client.js';
import { createProbeManager } from '../probes/probe-manager.js';
import type { RuntimeHandlerInfo } from '../runtime/runtime.js';
import { createFakeContainerRuntime, type FakeContainerRuntime } from '../testing/fake-container-runtime.js';
import { createFakeImageFacts, type FakeImageFacts } from '../testing/fake-image-facts.js';
import { createFakePlatform } from '../testing/fake-platform.js';
import { createCrashBackoff } from './crash-backoff.js';
import { repositoryOf } from './image-platform.js';
import { createStaticObjectSource } from './object-source.js';
import type { PodContext, PodMemory } from './pod-context.js';
import { podRuntimeView, syncRunningPod } from './pod-sync.js';
import { buildPodStatus } from './status.js';

const PROCESS = 'runhcs-wcow-process';
const HYPERV = 'runhcs-wcow-hypervisor';
const ISO = 'tandem.dev/isolation';
const LEGACY = 'experimental.windows.kubernetes.io/isolation-type';
const handlers = (...names: string[]): RuntimeHandlerInfo[] => names.map((name) => ({ name }));
const WIN_HV = handlers(PROCESS, '', HYPERV);

const dg = (c: string) => `sha256:${c.repeat(64)}`;
const win = (build: string, c: string): ImagePlatformEntry => ({ os: 'windows', architecture: 'amd64', osVersion: build, digest: dg(c) });
const REG = 'registry.example:5000';
const IMAGES = {
  // an index with both server builds (and a Linux entry)
  [`${REG}/app:1.4`]: {
    digest: dg('a'),
    platforms: [win('10.0.17763.5830', '1'), win('10.0.20348.2700', '2'), { os: 'linux', architecture: 'amd64', digest: dg('3') }],
  },
  // only Windows Server 2019: a 20348 node runs it Hyper-V-isolated
  [`${REG}/old:1`]: { digest: dg('b'), platforms: [win('10.0.17763.5830', '4')] },
  // only Windows Server 2025: newer than a 20348 node
  [`${REG}/new:1`]: { digest: dg('c'), platforms: [win('10.0.26100.1742', '5')] },
  [`${REG}/linux:1`]: { digest: dg('d'), platforms: [{ os: 'linux', architecture: 'amd64', digest: dg('6') }] },
  [`${REG}/unversioned:1`]: { digest: dg('e'), platforms: [{ os: 'windows', architecture: 'amd64', digest: dg('7') }] },
  [`${REG}/down:1`]: new ImageFactsError(`Get "https://${REG}/v2/": connection refused`, 'RegistryUnavailable', REG),
};
const HOST: WindowsHost = {
  name: 'win-1',
  build: parseWindowsVersion('10.0.20348.2700') ?? { major: 0, minor: 0, build: 0 },
  architecture: 'amd64',
  hyperv: true,
};

interface Ev {
  type: string;
  reason: string;
  message: string;
}

interface Harness {
  ctx: PodContext;
  runtime: FakeContainerRuntime;
  facts: FakeImageFacts;
  events: Ev[];
  requeues: number[];
  sync(pod: Pod): Promise<void>;
  done(): Promise<void>;
}

async function harness(
  o: { handlers?: RuntimeHandlerInfo[]; facts?: boolean; host?: WindowsHost; os?: 'linux' | 'windows' } = {},
): Promise<Harness> {
  const dir = await mkdtemp(join(tmpdir(), 'isolation-sync-'));
  const runtime = createFakeContainerRuntime({ handlers: o.handlers ?? WIN_HV });
  const facts = createFakeImageFacts(IMAGES);
  const events: Ev[] = [];
  const requeues: number[] = [];
  const memories = new Map<string, PodMemory>();
  const host = o.host ?? HOST;
  const os = o.os ?? 'windows';
  const ctx: PodContext = {
    client: {} as RestClient,
    runtime,
    platform: createFakePlatform({ os }),
    objects: createStaticObjectSource({
      runtimeClasses: { 'rc-process': PROCESS, 'rc-hyperv': HYPERV },
      secrets: { 'default/pull': { '.dockerconfigjson': JSON.stringify({ auths: { [REG]: { username: 'u', password: 'p' } } }) } },
      secretTypes: { 'default/pull': 'kubernetes.io/dockerconfigjson' },
    }),
    events: { event: (_obj, type, reason, message) => void events.push({ type, reason, message }), flush: async () => undefined },
    probes: createProbeManager({ runtime, clock: realClock, onChange: () => undefined }),
    crashBackoff: createCrashBackoff({ now: () => Date.now() }),
    imageBackoff: createCrashBackoff({ now: () => Date.now() }),
    clock: realClock,
    dataDir: dir,
    nodeName: 'win-1',
    hostname: 'win-1',
    hostIPs: ['192.0.2.10'],
    dns: { host: { servers: ['192.0.2.53'], searches: [], options: [] }, clusterDns: [], clusterDomain: 'cluster.local' },
    allocatable: {},
    os,
    memoryCapacity: 8 * 1024 ** 3,
    cpuCapacity: 4,
    runtimeName: 'containerd',
    ...(o.facts === false ? {} : { imageFacts: facts as ImageFactsSource }),
    windowsHost: () => (os === 'windows' ? host : undefined),
    log: nullLogger,
    memory(uid) {
      let m = memories.get(uid);
      if (!m) memories.set(uid, (m = { waiting: new Map(), pullFailedAt: new Map() }));
      return m;
    },
    admit: async () => ({ admit: true }),
    requeue: (_uid, ms) => void requeues.push(ms),
  };
  return {
    ctx,
    runtime,
    facts,
    events,
    requeues,
    async sync(pod) {
      await syncRunningPod(ctx, pod, await podRuntimeView(ctx, pod.metadata.uid ?? ''));
    },
    async done() {
      ctx.probes.stop();
      await runtime.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

let seq = 0;
function pod(
  o: {
    annotations?: Record<string, string>;
    runtimeClassName?: string;
    image?: string;
    os?: string;
    pullSecret?: boolean;
    hostProcess?: boolean;
    policy?: string;
  } = {},
): Pod {
  seq++;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `p${seq}`, namespace: 'default', uid: `uid-${seq}`, ...(o.annotations ? { annotations: o.annotations } : {}) },
    spec: {
      ...(o.os === 'linux' ? {} : { os: { name: o.os ?? 'windows' } }),
      ...(o.runtimeClassName ? { runtimeClassName: o.runtimeClassName } : {}),
      ...(o.pullSecret ? { imagePullSecrets: [{ name: 'pull' }] } : {}),
      ...(o.hostProcess
        ? { securityContext: { windowsOptions: { hostProcess: true, runAsUserName: 'NT AUTHORITY\\SYSTEM' } }, hostNetwork: true }
        : {}),
      containers: [{ name: 'app', image: o.image ?? `${REG}/app:1.4`, ...(o.policy ? { imagePullPolicy: o.policy } : {}) }],
    },
  };
}

const sandboxHandlers = (h: Harness) => [...h.runtime.sandboxes.values()].map((s) => s.cfg.runtimeHandler);
const createdImages = (h: Harness) => [...h.runtime.containers.values()].map((c) => c.cfg.image);
const warnings = (h: Harness, reason: string) => h.events.filter((e) => e.type === 'Warning' && e.reason === reason).map((e) => e.message);

test('the sandbox handler comes from the isolation the pod pins', async (t) => {
  const cases: Array<[string, Parameters<typeof pod>[0], string]> = [
    ['tandem.dev/isolation: process', { annotations: { [ISO]: 'process' } }, PROCESS],
    ['tandem.dev/isolation: hyperv', { annotations: { [ISO]: 'hyperv' } }, HYPERV],
    ['the legacy annotation isolation-type: hyperv', { annotations: { [LEGACY]: 'hyperv' } }, HYPERV],
    ['the legacy annotation and tandem.dev/isolation agreeing', { annotations: { [LEGACY]: 'hyperv', [ISO]: 'hyperv' } }, HYPERV],
    ['no pin: the default handler', {}, ''],
    ['a RuntimeClass and a pin that agree', { runtimeClassName: 'rc-hyperv', annotations: { [LEGACY]: 'hyperv' } }, HYPERV],
    ['a Linux pod with an isolation annotation is left alone', { os: 'linux', annotations: { [ISO]: 'hyperv' } }, ''],
  ];
  for (const [name, spec, want] of cases)
    await t.test(name, async () => {
      const h = await harness();
      try {
        await h.sync(pod(spec));
        assert.deepEqual(sandboxHandlers(h), [want]);
        assert.deepEqual(warnings(h, 'FailedCreatePodSandBox'), []);
      } finally {
        await h.done();
      }
    });

  await t.test('a HostProcess pod is left alone: the process runtime, whatever the annotation', async () => {
    const h = await harness({ handlers: handlers(PROCESS, '', HYPERV, 'process') });
    try {
      await h.sync(pod({ hostProcess: true, annotations: { [ISO]: 'hyperv' } }));
      assert.deepEqual(sandboxHandlers(h), ['process']);
      assert.equal(h.facts.gets.length, 0);
    } finally {
      await h.done();
    }
  });
});

test('conflicting or impossible pins: a Warning, no sandbox, a requeue', async (t) => {
  const cases: Array<[string, Parameters<typeof pod>[0], RuntimeHandlerInfo[], RegExp]> = [
    [
      'RuntimeClass process against the legacy hyperv annotation',
      { runtimeClassName: 'rc-process', annotations: { [LEGACY]: 'hyperv' } },
      WIN_HV,
      /^Failed to create pod sandbox: the pod asks for two isolations: process by RuntimeClass "rc-process" \(handler runhcs-wcow-process\) and hyperv by annotation experimental\.windows\.kubernetes\.io\/isolation-type: hyperv$/,
    ],
    [
      'RuntimeClass hyperv against tandem.dev/isolation: process',
      { runtimeClassName: 'rc-hyperv', annotations: { [ISO]: 'process' } },
      WIN_HV,
      /two isolations: hyperv by RuntimeClass "rc-hyperv".* and process by annotation tandem\.dev\/isolation: process/,
    ],
    [
      'an isolation annotation that is neither',
      { annotations: { [ISO]: 'vm' } },
      WIN_HV,
      /tandem\.dev\/isolation must be process or hyperv, not "vm"/,
    ],
    [
      'Hyper-V on a node without the handler',
      { annotations: { [ISO]: 'hyperv' } },
      handlers(PROCESS, ''),
      /^Failed to create pod sandbox: annotation tandem\.dev\/isolation: hyperv needs runtime handler runhcs-wcow-hypervisor, and node win-1 does not offer it \(its handlers: runhcs-wcow-process, "" \(default\)\)/,
    ],
  ];
  for (const [name, spec, hs, want] of cases)
    await t.test(name, async () => {
      const h = await harness({ handlers: hs });
      try {
        await h.sync(pod(spec));
        const w = warnings(h, 'FailedCreatePodSandBox');
        assert.equal(w.length, 1, JSON.stringify(h.events));
        assert.match(w[0] ?? '', want);
        assert.equal(h.runtime.sandboxes.size, 0);
        assert.deepEqual(h.requeues, [10_000]);
        assert.equal(h.runtime.pulls.length, 0);
      } finally {
        await h.done();
      }
    });
});

test('the pull takes the index entry of the sandbox isolation, by digest', async (t) => {
  const cases: Array<[string, Parameters<typeof pod>[0], string]> = [
    // a 20348 node with Hyper-V runs the newest entry not newer than itself: its own build
    ['hyperv pinned, index of 17763 and 20348: the 20348 entry', { annotations: { [LEGACY]: 'hyperv' } }, dg('2')],
    // the scheduler chose Hyper-V because the image has only 17763: that entry, not the host's build (containerd#8348)
    ['hyperv chosen for a 17763-only image: the 17763 entry', { image: `${REG}/old:1`, annotations: { [ISO]: 'hyperv' } }, dg('4')],
    ['process: the host-build entry', { annotations: { [ISO]: 'process' } }, dg('2')],
    ['a RuntimeClass of Hyper-V isolation', { runtimeClassName: 'rc-hyperv', image: `${REG}/old:1` }, dg('4')],
  ];
  for (const [name, spec, digest] of cases)
    await t.test(name, async () => {
      const h = await harness();
      try {
        const p = pod(spec);
        const image = p.spec?.containers[0]?.image ?? '';
        await h.sync(p);
        const ref = `${repositoryOf(image)}@${digest}`;
        assert.deepEqual(
          h.runtime.pulls.map((x) => x.image),
          [ref],
        );
        assert.deepEqual(createdImages(h), [ref]);
        assert.deepEqual(
          h.facts.gets.map((g) => g.image),
          [image],
        );
        const note = h.events.find((e) => e.reason === 'ImagePlatform');
        assert.equal(note?.type, 'Normal');
        assert.match(
          note?.message ?? '',
          new RegExp(`this Windows 10\\.0\\.20348 node runs its windows/amd64 .* entry with (Hyper-V|process) isolation`),
        );
        // the status shows the image as the user wrote it
        const st = buildPodStatus({
          pod: p,
          view: await podRuntimeView(h.ctx, p.metadata.uid ?? ''),
          runtimeName: 'containerd',
          waiting: new Map(),
          probe: () => ({ ready: true, started: true }),
          hostIPs: ['192.0.2.10'],
          now: Date.now(),
        });
        assert.equal(st.containerStatuses?.[0]?.image, image);
        assert.ok(st.containerStatuses?.[0]?.state?.running);
        // a second sync finds the container running: nothing pulled again
        await h.sync(p);
        assert.equal(h.runtime.pulls.length, 1);
      } finally {
        await h.done();
      }
    });

  await t.test('the pod pull secret reaches the image facts and the pull', async () => {
    const h = await harness();
    try {
      await h.sync(pod({ annotations: { [ISO]: 'hyperv' }, pullSecret: true }));
      assert.equal(h.facts.gets[0]?.auth?.username, 'u');
      assert.equal(h.runtime.pulls[0]?.auth?.username, 'u');
      assert.equal(h.runtime.pulls[0]?.runtimeHandler, HYPERV);
    } finally {
      await h.done();
    }
  });

  await t.test('an entry already present is used without a pull', async () => {
    const h = await harness();
    try {
      await h.runtime.pullImage(`${REG}/old@${dg('4')}`);
      await h.sync(pod({ image: `${REG}/old:1`, annotations: { [ISO]: 'hyperv' } }));
      assert.equal(h.runtime.pulls.length, 1);
      assert.deepEqual(createdImages(h), [`${REG}/old@${dg('4')}`]);
    } finally {
      await h.done();
    }
  });
});

test('no entry fits: the container waits with ErrImagePull and the plain reason', async () => {
  const h = await harness();
  try {
    const p = pod({ image: `${REG}/new:1`, annotations: { [ISO]: 'hyperv' } });
    await h.sync(p);
    assert.equal(h.runtime.sandboxes.size, 1);
    assert.equal(h.runtime.pulls.length, 0);
    assert.equal(h.runtime.containers.size, 0);
    const mem = h.ctx.memory(p.metadata.uid ?? '');
    const waiting = mem.waiting.get('app');
    assert.equal(waiting?.reason, 'ErrImagePull');
    const want =
      `Failed to pull image "${REG}/new:1": image "${REG}/new:1" offers Windows builds 10.0.26100; this node runs Windows 10.0.20348 (amd64) ` +
      `with Hyper-V isolation, as annotation tandem.dev/isolation: hyperv asks, and Hyper-V isolation runs images of the node's build or older, never newer`;
    assert.equal(waiting?.message, want);
    assert.deepEqual(warnings(h, 'Failed'), [want, 'Error: ErrImagePull']);
    assert.equal(h.requeues.length, 1);
    // the next sync backs off as a failed pull does
    await h.sync(p);
    assert.equal(mem.waiting.get('app')?.reason, 'ImagePullBackOff');
    assert.equal(h.runtime.pulls.length, 0);
  } finally {
    await h.done();
  }
});

test('no entry fits process isolation: the builds and the rule in the message', async () => {
  const h = await harness();
  try {
    const p = pod({ image: `${REG}/old:1`, annotations: { [ISO]: 'process' } });
    await h.sync(p);
    assert.equal(
      h.ctx.memory(p.metadata.uid ?? '').waiting.get('app')?.message,
      `Failed to pull image "${REG}/old:1": image "${REG}/old:1" offers Windows builds 10.0.17763; this node runs Windows 10.0.20348 (amd64) ` +
        `with process isolation, as annotation tandem.dev/isolation: process asks, and process isolation runs only images of the node's own build`,
    );
  } finally {
    await h.done();
  }
});

test('no entry fits: an image without Windows builds says what it offers', async () => {
  const h = await harness();
  try {
    const linux = pod({ image: `${REG}/linux:1`, annotations: { [ISO]: 'process' } });
    const unversioned = pod({ image: `${REG}/unversioned:1`, annotations: { [ISO]: 'process' } });
    await h.sync(linux);
    await h.sync(unversioned);
    assert.match(
      h.ctx.memory(linux.metadata.uid ?? '').waiting.get('app')?.message ?? '',
      /image ".*\/linux:1" offers no Windows build \(it offers linux\/amd64\); this node runs Windows 10\.0\.20348/,
    );
    assert.match(
      h.ctx.memory(unversioned.metadata.uid ?? '').waiting.get('app')?.message ?? '',
      /image ".*\/unversioned:1" has Windows entries without an os\.version, so their build is not known/,
    );
    assert.equal(h.runtime.pulls.length, 0);
  } finally {
    await h.done();
  }
});

test('facts that cannot be read: pull as given, and say so', async () => {
  const h = await harness();
  try {
    await h.sync(pod({ image: `${REG}/down:1`, annotations: { [ISO]: 'hyperv' } }));
    assert.deepEqual(
      h.runtime.pulls.map((x) => x.image),
      [`${REG}/down:1`],
    );
    assert.deepEqual(createdImages(h), [`${REG}/down:1`]);
    const note = h.events.find((e) => e.reason === 'ImagePlatform');
    assert.equal(note?.type, 'Normal');
    assert.equal(
      note?.message,
      `Could not read which Windows builds image "${REG}/down:1" offers (RegistryUnavailable from ${REG}: Get "https://${REG}/v2/": connection refused); ` +
        `pulling it as given, so the runtime picks the entry for this node's own build`,
    );
  } finally {
    await h.done();
  }
});

test('pulled as written: Linux pods, unpinned Windows pods, pull policy Never, no facts source', async (t) => {
  await t.test('a Linux pod on a Linux node', async () => {
    const h = await harness({ os: 'linux', handlers: handlers('runc', '') });
    try {
      await h.sync(pod({ os: 'linux', image: 'busybox:1', annotations: { [ISO]: 'hyperv' } }));
      assert.deepEqual(sandboxHandlers(h), ['']);
      assert.deepEqual(
        h.runtime.pulls.map((x) => x.image),
        ['busybox:1'],
      );
      assert.equal(h.facts.gets.length, 0);
    } finally {
      await h.done();
    }
  });
  await t.test('a Windows pod without a pin', async () => {
    const h = await harness();
    try {
      await h.sync(pod());
      assert.deepEqual(createdImages(h), [`${REG}/app:1.4`]);
      assert.equal(h.facts.gets.length, 0);
    } finally {
      await h.done();
    }
  });
  await t.test('pull policy Never uses the image present', async () => {
    const h = await harness();
    try {
      await h.runtime.pullImage(`${REG}/app:1.4`);
      await h.sync(pod({ annotations: { [ISO]: 'hyperv' }, policy: 'Never' }));
      assert.deepEqual(createdImages(h), [`${REG}/app:1.4`]);
      assert.equal(h.facts.gets.length, 0);
    } finally {
      await h.done();
    }
  });
  await t.test('an agent without an image facts source', async () => {
    const h = await harness({ facts: false });
    try {
      await h.sync(pod({ annotations: { [ISO]: 'hyperv' } }));
      assert.deepEqual(sandboxHandlers(h), [HYPERV]);
      assert.deepEqual(createdImages(h), [`${REG}/app:1.4`]);
    } finally {
      await h.done();
    }
  });
});

test('repositoryOf keeps the name as written', () => {
  assert.equal(repositoryOf('registry.example:5000/app:1.4'), 'registry.example:5000/app');
  assert.equal(repositoryOf(`localhost:5000/a/b:1@${dg('1')}`), 'localhost:5000/a/b');
  assert.equal(repositoryOf('mcr.microsoft.com/windows/nanoserver'), 'mcr.microsoft.com/windows/nanoserver');
  assert.equal(repositoryOf('busybox'), 'busybox');
});

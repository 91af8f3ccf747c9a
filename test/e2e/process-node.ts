// One scenario for a node that runs native processes only (`tandem agent --runtime process`), played on
// two hosts: a Linux agent (test/e2e/process-node.test.ts) and the real Windows node.exe under Wine
// (test/wine/windows-node.test.ts). `tandem server` runs on Linux with the real kubectl against it;
// the agent joins with the admin kubeconfig; the pods' image is built by the project and served by a
// local docker-registry. What differs between the hosts is in a Flavour: the image's files and the
// commands the pods run.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { agentServingCert } from './agent-cert.js';
import { stringify as stringifyYaml } from 'yaml';
import { buildImage, type OciImage } from '../../src/agent/images/oci.js';
import type { TarEntry } from '../../src/agent/images/tar.js';
import { startTandem, TANDEM, type RunResult, type TandemProcess } from './harness.js';
import { at, collect } from './kubectl-support.js';
import { items, show, sleep, statusOf, until, type Obj } from './node-session.js';
import { freePort, pushImage, startRegistry, type Registry } from '../images/registry.js';
import { removeTree } from './remove-tree.js';

/** A node agent process the scenario starts and stops (a Linux child, or node.exe under Wine). */
export interface AgentProcess {
  /** resolves when the agent printed that it is ready */
  ready(timeoutMs: number): Promise<void>;
  /** Ctrl-C / SIGINT, and waits for the exit */
  stop(): Promise<void>;
  output(): string;
}

export interface Flavour {
  /** what the scenario's titles say, e.g. `Linux` or `Windows (node.exe under Wine)` */
  title: string;
  os: 'linux' | 'windows';
  /** the image's platform fields */
  image: { os: string; osVersion?: string; files: TarEntry[] };
  /** a command that prints `hello <marker>` and stays up */
  greet(marker: string): string[];
  /** exits 1 after printing a line */
  crash: string[];
  /** starts a child process that starts a grandchild, all long-running, each with `marker` in its command line */
  tree(marker: string): string[];
  /** an exec that shows the OS, and what its output must match */
  version: { command: string[]; expect: RegExp };
  probeOk: string[];
  probeFail: string[];
  /** a command that answers `pong <marker>` over HTTP and UDP on `port` (the pod shares the host's network) */
  server(port: number, marker: string): string[];
  /** the agent's service proxy is the userspace one and this host can reach ClusterIPs through it (Linux as root) */
  clusterIPsReachable: boolean;
  /** starts `tandem agent --runtime process` with these arguments (paths already as the agent sees them) */
  startAgent(a: { kubeconfig: string; dataDir: string; nodeName: string; streamingPort: number }): AgentProcess;
  /** the Linux-side pids of processes whose command line contains `marker` */
  processesWith(marker: string): number[];
  /** extra checks on the registered Node */
  checkNode?(node: Obj): void;
  /**
   * Start a Linux native-process agent and a simulated Windows node beside this one, so that
   * `kubectl get nodes -o wide` shows a real, a simulated and this node side by side.
   */
  companions?: boolean;
}

/** `tandem agent --runtime process` on this Linux host. */
export function startLinuxAgent(
  a: { kubeconfig: string; dataDir: string; nodeName: string; streamingPort: number },
  proxy: 'userspace' | 'none' = 'userspace',
): AgentProcess {
  const args = ['agent', '--kubeconfig', a.kubeconfig, '--runtime', 'process', '--node-name', a.nodeName, '--data-dir', a.dataDir];
  args.push('--proxy', proxy);
  // a serving certificate from the cluster CA (the server's data dir holds the kubeconfig), as a joined node gets one
  const tls = agentServingCert(dirname(a.kubeconfig), a.nodeName, join(a.dataDir, 'tls'));
  args.push('--tls-cert-file', tls.certFile, '--tls-private-key-file', tls.keyFile);
  const child = spawn(process.execPath, [TANDEM, ...args, '--streaming-port', String(a.streamingPort)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return {
    output: () => out,
    async ready(timeoutMs) {
      const end = Date.now() + timeoutMs;
      while (!/node \S+ ready: joined/.test(out)) {
        if (child.exitCode !== null) throw new Error(`the agent exited with ${child.exitCode}`);
        if (Date.now() > end) throw new Error('the agent did not become ready');
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
      await exited;
    },
  };
}

const NS = 'proc-e2e';

/** Pids of processes (ps) whose command line contains `needle`, this test's own excluded. */
export function pidsWith(needle: string): number[] {
  const out = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' });
  return out
    .split('\n')
    .map((l) => /^\s*(\d+)\s+(.*)$/.exec(l))
    .filter((m): m is RegExpExecArray => !!m && m[2]!.includes(needle) && !m[2]!.startsWith('ps '))
    .map((m) => Number(m[1]));
}

export function processNodeScenario(f: Flavour): void {
  const nodeName = `proc-${f.os}-${Math.floor(Math.random() * 1e6)}`;
  let srv: TandemProcess;
  let registry: Registry;
  let agent: AgentProcess | undefined;
  let agentDir = '';
  let streamingPort = 0;
  let image = '';
  let mismatched = '';
  let webPort = 0;
  let companion: AgentProcess | undefined;
  let sim: ChildProcess | undefined;
  const companionName = `${nodeName}-linux`;
  const simPrefix = `${nodeName}-sim`;
  const marker = String(4000 + Math.floor(Math.random() * 900));
  // the tree pod's own marker (it contains `marker`, so the final sweep finds its processes too)
  const treeMarker = `${marker}7`;

  const k = (args: string[], o: { input?: string; timeoutMs?: number } = {}): RunResult => srv.kubectl(args, o);
  const ok = (args: string[], o: { input?: string; timeoutMs?: number } = {}): RunResult => {
    const r = k(args, o);
    assert.equal(r.code, 0, `kubectl ${args.join(' ')}\n${show(r)}`);
    return r;
  };
  const json = (args: string[]): Obj => JSON.parse(ok([...args, '-o', 'json']).stdout) as Obj;
  const pod = (name: string): Obj => json(['get', 'pod', name, '-n', NS]);
  const apply = (objects: Obj[]) => ok(['apply', '-f', '-'], { input: objects.map((o) => stringifyYaml(o)).join('---\n') });
  const events = (name: string): Obj[] => items(json(['get', 'events', '-n', NS, '--field-selector', `involvedObject.name=${name}`]));

  const podOf = (name: string, containers: Obj[], extra: Obj = {}): Obj => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: NS },
    spec: {
      os: { name: f.os },
      runtimeClassName: 'process',
      nodeSelector: { 'kubernetes.io/hostname': nodeName },
      terminationGracePeriodSeconds: 2,
      containers,
      ...extra,
    },
  });
  const container = (name: string, command: string[], extra: Obj = {}): Obj => ({ name, image, command, ...extra });

  /** `until`, with the pod's description and the agent's last lines in the failure */
  const untilPod = async <T>(name: string, what: string, probe: () => T | undefined | false, ms: number): Promise<T> => {
    try {
      return await until(what, probe, ms);
    } catch (e) {
      const d = k(['describe', 'pod', name, '-n', NS]);
      const tail = (agent?.output() ?? '').split('\n').slice(-30).join('\n');
      throw new Error(`${String(e)}\n--- kubectl describe pod ${name}\n${d.stdout}${d.stderr}\n--- agent\n${tail}`, { cause: e });
    }
  };

  const startAgent = async () => {
    agent = f.startAgent({ kubeconfig: srv.kubeconfig, dataDir: agentDir, nodeName, streamingPort });
    try {
      await agent.ready(120_000);
    } catch (e) {
      throw new Error(`${String(e)}\n--- agent output\n${agent.output()}`, { cause: e });
    }
  };

  describe(`a native-process node on ${f.title}`, () => {
    before(async () => {
      const scratch = mkdtempSync(join(tmpdir(), 'tandem-proc-e2e-'));
      agentDir = join(scratch, 'agent');
      registry = await startRegistry({ dir: join(scratch, 'registry') });
      const build = (osVersion?: string): OciImage =>
        buildImage({
          name: 'app',
          os: f.image.os,
          ...(osVersion ? { osVersion } : {}),
          entries: f.image.files,
        });
      await pushImage(registry.url, 'tandem-e2e/app', '1', build(f.image.osVersion));
      image = `${new URL(registry.url).host}/tandem-e2e/app:1`;
      // an image for another Windows build than this node's (a Windows image, for a Linux node): no manifest for it
      const other = buildImage({ name: 'other', os: 'windows', osVersion: '10.0.14393.1', entries: f.image.files });
      await pushImage(registry.url, 'tandem-e2e/other', '1', other);
      mismatched = `${new URL(registry.url).host}/tandem-e2e/other:1`;
      srv = await startTandem({ command: 'server' });
      streamingPort = await freePort();
      webPort = await freePort();
      await startAgent();
      if (f.companions) {
        // no proxy of its own: the Services below are this node's userspace proxy's to serve
        companion = startLinuxAgent(
          {
            kubeconfig: srv.kubeconfig,
            dataDir: join(scratch, 'companion'),
            nodeName: companionName,
            streamingPort: await freePort(),
          },
          'none',
        );
        await companion.ready(60_000);
        sim = spawn(
          process.execPath,
          [
            TANDEM,
            'sim',
            '--kubeconfig',
            srv.kubeconfig,
            '--nodes',
            '1',
            '--os',
            'windows',
            '--windows-build',
            '10.0.20348',
            '--name-prefix',
            simPrefix,
          ],
          { stdio: 'ignore' },
        );
      }
      ok(['create', 'namespace', NS]);
      // the scenario's pods; each test waits for what it checks
      apply([
        podOf('greet', [container('main', f.greet(marker), { readinessProbe: { exec: { command: f.probeOk }, periodSeconds: 1 } })]),
        podOf('crash', [container('main', f.crash)], { restartPolicy: 'Always' }),
        podOf('liveness', [
          container('main', f.greet(`${marker}-live`), {
            livenessProbe: { exec: { command: f.probeFail }, periodSeconds: 2, failureThreshold: 1, initialDelaySeconds: 1 },
          }),
        ]),
        podOf('tree', [container('main', f.tree(treeMarker))]),
        {
          ...podOf('web', [container('main', f.server(webPort, marker))]),
          metadata: { name: 'web', namespace: NS, labels: { app: 'web' } },
        },
        {
          apiVersion: 'v1',
          kind: 'Service',
          metadata: { name: 'web', namespace: NS },
          spec: {
            type: 'NodePort',
            selector: { app: 'web' },
            ports: [
              { name: 'http', port: 80, targetPort: webPort, protocol: 'TCP' },
              { name: 'echo', port: 81, targetPort: webPort, protocol: 'UDP' },
            ],
          },
        },
        podOf('mismatch', [{ name: 'main', image: mismatched, command: f.greet('mismatch') }]),
        podOf('unreachable', [{ name: 'main', image: '127.0.0.1:1/tandem-e2e/app:1', command: f.greet('unreachable') }]),
        // no RuntimeClass: it needs a container runtime, which this node does not have
        {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: 'needs-containerd', namespace: NS },
          spec: {
            os: { name: f.os },
            nodeSelector: { 'kubernetes.io/hostname': nodeName },
            containers: [container('main', f.greet('needs'))],
          },
        },
      ]);
    });
    after(async () => {
      if (srv) k(['delete', 'pods', '--all', '-n', NS, '--grace-period=1', '--wait=true'], { timeoutMs: 60_000 });
      await agent?.stop();
      await companion?.stop();
      sim?.kill('SIGINT');
      await srv?.stop();
      await registry?.stop();
      for (const pid of f.processesWith(marker)) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          /* gone */
        }
      }
      if (agentDir) removeTree(join(agentDir, '..'));
    });

    test('the node registers with its OS, build, image and kernel, and runs native processes only', async () => {
      const node = await until(
        'the Node',
        () => {
          const r = k(['get', 'node', nodeName, '-o', 'json']);
          return r.code === 0 ? (JSON.parse(r.stdout) as Obj) : undefined;
        },
        30_000,
      );
      const labels = at(node, 'metadata', 'labels') as Record<string, string>;
      assert.equal(labels['kubernetes.io/os'], f.os);
      const handlers = ((at(node, 'status', 'runtimeHandlers') as Obj[] | undefined) ?? []).map((h) => h['name']);
      assert.deepEqual(handlers, ['process']);
      f.checkNode?.(node);
      const wide = ok(['get', 'nodes', '-o', 'wide', '-L', 'node.kubernetes.io/windows-build']).stdout;
      const row = wide.split('\n').find((l) => l.startsWith(`${nodeName} `));
      assert.ok(row, wide);
      const osImage = String(at(node, 'status', 'nodeInfo', 'osImage'));
      const kernel = String(at(node, 'status', 'nodeInfo', 'kernelVersion'));
      assert.ok(osImage && row.includes(osImage), `OS-IMAGE ${osImage} in\n${wide}`);
      assert.ok(kernel && row.includes(kernel), `KERNEL-VERSION ${kernel} in\n${wide}`);
      console.log(`# ${f.title}: ${row.replace(/\s+/g, ' ')}`);
      if (f.companions) {
        const all = await until(
          'the companion and simulated nodes',
          () => {
            const t = ok(['get', 'nodes', '-o', 'wide', '-L', 'node.kubernetes.io/windows-build']).stdout;
            const lines = t.split('\n');
            return lines.some((l) => l.startsWith(`${companionName} `)) && lines.some((l) => l.startsWith(simPrefix)) ? t : undefined;
          },
          60_000,
        );
        console.log(all.replace(/^/gm, '# '));
        const simRow = all.split('\n').find((l) => l.startsWith(simPrefix)) ?? '';
        assert.match(simRow, /10\.0\.20348\s*$/, 'the simulated node shows its build label');
        assert.match(row, new RegExp(`${String(labels['node.kubernetes.io/windows-build'] ?? '')}\\s*$`));
      }
    });

    test('an image whose registry cannot be reached fails with an event naming the registry and the error', async () => {
      const msg = await untilPod(
        'unreachable',
        'a pull failure naming the registry',
        () => {
          const e = events('unreachable').find((x) => x['reason'] === 'Failed' && String(x['message']).includes('127.0.0.1:1'));
          return e ? String(e['message']) : undefined;
        },
        60_000,
      );
      assert.match(msg, /ECONNREFUSED|refused/i, msg);
    });

    test('a pod that prints and stays up is Running and Ready; logs and exec work', async () => {
      await untilPod(
        'greet',
        'greet Running and Ready',
        () => {
          const p = pod('greet');
          return at(p, 'status', 'phase') === 'Running' && statusOf(p, 'main')?.['ready'] === true;
        },
        120_000,
      );
      const logs = await until(
        'the greeting in kubectl logs',
        () => {
          const r = k(['logs', 'greet', '-n', NS]);
          return r.code === 0 && r.stdout.includes(`hello ${marker}`) ? r.stdout : undefined;
        },
        30_000,
      );
      assert.match(logs, new RegExp(`hello ${marker}`));
      const ts = ok(['logs', 'greet', '-n', NS, '--timestamps', '--tail', '1']).stdout;
      assert.match(ts, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z hello/m);
      const ex = ok(['exec', 'greet', '-n', NS, '--', ...f.version.command], { timeoutMs: 60_000 });
      assert.match(ex.stdout, f.version.expect);
      const fail = k(['exec', 'greet', '-n', NS, '--', ...f.probeFail], { timeoutMs: 60_000 });
      assert.notEqual(fail.code, 0, 'a failing exec gives a non-zero exit');
    });

    test('kubectl port-forward reaches a process pod, and kubectl top shows the node', async () => {
      await untilPod('web', 'web Running', () => at(pod('web'), 'status', 'phase') === 'Running', 120_000);
      const pf = collect(srv.kubectlAsync(['port-forward', '-n', NS, 'pod/web', `:${webPort}`]));
      try {
        const local = await until(
          'port-forward to listen',
          () => new RegExp(`Forwarding from 127\\.0\\.0\\.1:(\\d+) -> ${webPort}`).exec(pf.out())?.[1],
          30_000,
          100,
        );
        // the server may still be starting (node.exe under Wine takes a moment)
        let body = '';
        for (const end = Date.now() + 60_000; Date.now() < end && !body;) {
          const r = await fetch(`http://127.0.0.1:${local}/`, { signal: AbortSignal.timeout(10_000) }).catch(() => undefined);
          if (r?.status === 200) body = await r.text();
          else await sleep(500);
        }
        assert.equal(body.trim(), `pong ${marker}`);
      } finally {
        await pf.stop();
      }
      const top = await until(
        'kubectl top node',
        () => {
          const r = k(['top', 'node', nodeName]);
          return r.code === 0 ? r.stdout : undefined;
        },
        60_000,
      );
      assert.match(top.split('\n')[1] ?? '', new RegExp(`^${nodeName}\\s+\\d+m\\s+\\d+%\\s+\\d+Mi\\s+\\d+%`), top);
    });

    test('the userspace service proxy carries TCP and UDP to a process pod (NodePort; ClusterIP where reachable)', async () => {
      await untilPod('web', 'web Ready', () => statusOf(pod('web'), 'main')?.['ready'] === true, 120_000);
      const svc = json(['get', 'svc', 'web', '-n', NS]);
      const ports = (at(svc, 'spec', 'ports') as Obj[]).map((p) => ({ name: String(p['name']), nodePort: Number(p['nodePort']) }));
      const tcpPort = ports.find((p) => p.name === 'http')?.nodePort ?? 0;
      const udpPort = ports.find((p) => p.name === 'echo')?.nodePort ?? 0;
      const clusterIP = String(at(svc, 'spec', 'clusterIP'));
      const get = async (url: string): Promise<string> => {
        for (const end = Date.now() + 60_000; Date.now() < end;) {
          const r = await fetch(url, { signal: AbortSignal.timeout(5000) }).catch(() => undefined);
          if (r?.status === 200) return (await r.text()).trim();
          await sleep(500);
        }
        return `no answer from ${url}`;
      };
      assert.equal(await get(`http://127.0.0.1:${tcpPort}/`), `pong ${marker}`, 'TCP through the NodePort');
      if (f.clusterIPsReachable) assert.equal(await get(`http://${clusterIP}:80/`), `pong ${marker}`, 'TCP through the ClusterIP');
      const udp = async (host: string, port: number): Promise<string> => {
        for (let i = 0; i < 60; i++) {
          const answer = await new Promise<string | undefined>((resolve) => {
            const s = createSocket('udp4');
            const t = setTimeout(() => {
              s.close();
              resolve(undefined);
            }, 1000);
            s.once('message', (m) => {
              clearTimeout(t);
              s.close();
              resolve(m.toString());
            });
            s.send('ping', port, host);
          });
          if (answer) return answer.trim();
        }
        return `no UDP answer from ${host}:${port}`;
      };
      assert.equal(await udp('127.0.0.1', udpPort), `pong ${marker}`, 'UDP through the NodePort');
      if (f.clusterIPsReachable) assert.equal(await udp(clusterIP, 81), `pong ${marker}`, 'UDP through the ClusterIP');
    });

    test('a container that exits 1 is restarted with back-off and its restart count shows', async () => {
      const p = await untilPod(
        'crash',
        'two restarts of crash',
        () => {
          const q = pod('crash');
          return Number(statusOf(q, 'main')?.['restartCount'] ?? 0) >= 2 ? q : undefined;
        },
        120_000,
      );
      const last = at(statusOf(p, 'main') ?? {}, 'lastState', 'terminated') as Obj | undefined;
      assert.equal(last?.['exitCode'], 1);
      const table = ok(['get', 'pod', 'crash', '-n', NS]).stdout;
      assert.match(table.split('\n')[1] ?? '', /\s[2-9]\d*( \(.*ago\))?\s/, table);
      const reasons = events('crash').map((e) => e['reason']);
      assert.ok(reasons.includes('BackOff'), `BackOff event among ${reasons.join(',')}`);
    });

    test('a failing liveness probe restarts the container', async () => {
      await untilPod(
        'liveness',
        'a liveness restart',
        () => Number(statusOf(pod('liveness'), 'main')?.['restartCount'] ?? 0) >= 1,
        120_000,
      );
      const msgs = events('liveness').map((e) => `${String(e['reason'])}: ${String(e['message'])}`);
      assert.ok(
        msgs.some((m) => m.startsWith('Unhealthy: Liveness probe failed')),
        msgs.join('\n'),
      );
    });

    test('deleting a pod whose process started children leaves nothing running', async () => {
      await untilPod('tree', 'tree Running', () => at(pod('tree'), 'status', 'phase') === 'Running', 120_000);
      const before = await until(
        'the child and grandchild',
        () => {
          const pids = f.processesWith(treeMarker);
          return pids.length >= 2 ? pids : undefined;
        },
        60_000,
      );
      ok(['delete', 'pod', 'tree', '-n', NS, '--grace-period=2', '--wait=true'], { timeoutMs: 90_000 });
      const left = await until('no process of the pod', () => (f.processesWith(treeMarker).length === 0 ? [] : undefined), 30_000).catch(
        () => f.processesWith(treeMarker),
      );
      assert.deepEqual(left, [], `processes left from ${before.join(',')}`);
    });

    test('an image with no manifest for this node fails with the platforms it has and the one needed', async () => {
      const msg = await untilPod(
        'mismatch',
        'a pull failure event',
        () => {
          const e = events('mismatch').find((x) => x['reason'] === 'Failed' && String(x['message']).includes('no'));
          return e ? String(e['message']) : undefined;
        },
        60_000,
      );
      assert.match(msg, /windows\/amd64|linux\/amd64/);
      assert.match(msg, new RegExp(`${f.os}/amd64`));
    });

    test('a pod that needs a container runtime stays Pending with the reason in plain words', async () => {
      const msg = await until(
        'FailedScheduling',
        () => {
          const e = events('needs-containerd').find((x) => x['reason'] === 'FailedScheduling');
          return e ? String(e['message']) : undefined;
        },
        30_000,
      );
      assert.match(msg, /run native processes only; this pod needs a container runtime/);
      assert.equal(at(pod('needs-containerd'), 'status', 'phase'), 'Pending');
    });

    test('a restarted agent adopts its running pods instead of restarting them', async () => {
      const before = statusOf(pod('greet'), 'main') ?? {};
      const startedAt = at(before, 'state', 'running', 'startedAt');
      assert.ok(startedAt, JSON.stringify(before));
      await agent?.stop();
      await sleep(1000);
      await startAgent();
      // the agent has synced its pods once it reports ready; give it a few sync periods
      await sleep(5000);
      const after = statusOf(pod('greet'), 'main') ?? {};
      assert.equal(at(after, 'state', 'running', 'startedAt'), startedAt, JSON.stringify(after));
      assert.equal(after['restartCount'], before['restartCount']);
      assert.equal(after['ready'], true);
      const logs = ok(['logs', 'greet', '-n', NS]).stdout;
      assert.equal(logs.split(`hello ${marker}`).length - 1, 1, `one greeting only:\n${logs}`);
    });
  });
}

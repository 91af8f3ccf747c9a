// E2E (issue 16, item 4) on a native-process node (`tandem agent --runtime process` on Linux), with the
// real kubectl: the logs of pods that finished (Completed, Failed) and `--previous` of a restarted
// container, read after the pod completed, and gone with the pod. Pods run host processes from an
// image the test builds and serves from a local docker-registry.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify as stringifyYaml } from 'yaml';
import { buildImage } from '../../src/agent/images/oci.js';
import { kubectlAvailable, startTandem, type RunResult, type TandemProcess } from './harness.js';
import { at } from './kubectl-support.js';
import { show, sleep, until, type Obj } from './node-session.js';
import { startLinuxAgent, type AgentProcess } from './process-node.js';
import { freePort, pushImage, startRegistry, type Registry } from '../images/registry.js';
import { removeTree } from './remove-tree.js';

const NS = 'proc-logs';
const skip = process.platform !== 'linux' ? 'needs Linux' : !kubectlAvailable() ? 'kubectl not found' : undefined;

describe('a native-process node: logs of finished pods', { skip }, () => {
  const nodeName = `proc-logs-${Math.floor(Math.random() * 1e6)}`;
  let scratch = '';
  let srv: TandemProcess;
  let registry: Registry;
  let agent: AgentProcess | undefined;
  let image = '';

  const k = (args: string[], o: { timeoutMs?: number } = {}): RunResult => srv.kubectl(args, o);
  const ok = (args: string[], o: { input?: string; timeoutMs?: number } = {}): RunResult => {
    const r = srv.kubectl(args, o);
    assert.equal(r.code, 0, `kubectl ${args.join(' ')}\n${show(r)}`);
    return r;
  };
  const phase = (name: string) => {
    const r = k(['get', 'pod', name, '-n', NS, '-o', 'json']);
    return r.code === 0 ? String(at(JSON.parse(r.stdout) as Obj, 'status', 'phase')) : '';
  };
  /** `until`, with the agent's last lines in the failure */
  const waitFor = async <T>(what: string, probe: () => T | undefined | false, ms: number): Promise<T> => {
    try {
      return await until(what, probe, ms);
    } catch (e) {
      throw new Error(`${String(e)}\n--- agent\n${(agent?.output() ?? '').split('\n').slice(-30).join('\n')}`, { cause: e });
    }
  };
  const pod = (name: string, restartPolicy: string, script: string): Obj => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: NS },
    spec: {
      os: { name: 'linux' },
      runtimeClassName: 'process',
      nodeSelector: { 'kubernetes.io/hostname': nodeName },
      terminationGracePeriodSeconds: 1,
      restartPolicy,
      containers: [{ name: 'main', image, command: ['sh', '-c', script] }],
    },
  });

  before(async () => {
    scratch = mkdtempSync(join(tmpdir(), 'tandem-proc-logs-'));
    registry = await startRegistry({ dir: join(scratch, 'registry') });
    const entries = [{ type: 'file' as const, path: 'README', mode: 0o644, data: Buffer.from('a process image\n') }];
    await pushImage(registry.url, 'tandem-e2e/proc', '1', buildImage({ name: 'proc', os: 'linux', entries }));
    image = `${new URL(registry.url).host}/tandem-e2e/proc:1`;
    srv = await startTandem({ command: 'server' });
    agent = startLinuxAgent(
      { kubeconfig: srv.kubeconfig, dataDir: join(scratch, 'agent'), nodeName, streamingPort: await freePort() },
      'none',
    );
    try {
      await agent.ready(120_000);
    } catch (e) {
      throw new Error(`${String(e)}\n--- agent output\n${agent.output()}`, { cause: e });
    }
    ok(['create', 'namespace', NS]);
    // a host process: the run counter lives in the test's scratch directory
    const counter = join(scratch, 'runs');
    const counted = `n=$(cat ${counter} 2>/dev/null || echo 0); n=$((n+1)); echo $n > ${counter}; echo "run $n"; [ $n -ge 2 ]`;
    ok(['apply', '-f', '-'], {
      input: [pod('once', 'Never', 'echo hello; exit 0'), pod('fails', 'Never', 'echo bye >&2; exit 3'), pod('retry', 'OnFailure', counted)]
        .map((o) => stringifyYaml(o))
        .join('---\n'),
    });
  });

  after(async () => {
    if (srv) k(['delete', 'pods', '--all', '-n', NS, '--grace-period=1', '--wait=true'], { timeoutMs: 60_000 });
    await agent?.stop();
    await srv?.stop();
    await registry?.stop();
    if (scratch) removeTree(scratch);
  });

  test('a Completed and a Failed pod: their logs', async () => {
    await waitFor('once Succeeded', () => phase('once') === 'Succeeded', 120_000);
    assert.equal(ok(['logs', 'once', '-n', NS]).stdout, 'hello\n');
    assert.equal(ok(['logs', 'once', '-n', NS, '-f']).stdout, 'hello\n', '-f of a finished process ends');
    await waitFor('fails Failed', () => phase('fails') === 'Failed', 120_000);
    assert.equal(ok(['logs', 'fails', '-n', NS]).stdout, 'bye\n');
  });

  test('--previous of a pod that Completed after a restart', async () => {
    await waitFor('retry Succeeded', () => phase('retry') === 'Succeeded', 120_000);
    // the node's view of its pods is refreshed every 0.5 s: by now it holds the stopped sandbox, not the running pod
    await sleep(2000);
    assert.equal(ok(['logs', 'retry', '-n', NS]).stdout, 'run 2\n');
    assert.equal(ok(['logs', 'retry', '-n', NS, '--previous']).stdout, 'run 1\n');
  });

  test('a deleted pod takes its logs with it', async () => {
    const logsRoot = join(scratch, 'agent', 'agent', 'logs', 'pods'); // `tandem agent --data-dir D` keeps its state in D/agent
    const dirsOf = (name: string) => (existsSync(logsRoot) ? readdirSync(logsRoot).filter((d) => d.startsWith(`${NS}_${name}_`)) : []);
    assert.equal(dirsOf('once').length, 1, `the log directory of once under ${logsRoot}`);
    ok(['delete', 'pod', 'once', '-n', NS, '--wait=true'], { timeoutMs: 60_000 });
    await waitFor('the log directory removed', () => dirsOf('once').length === 0, 20_000);
    assert.equal(k(['logs', 'once', '-n', NS]).code, 1);
  });
});

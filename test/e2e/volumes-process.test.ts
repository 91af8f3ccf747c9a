// Claims on a node without a container engine: `tandem server` and `tandem agent --runtime process`
// on this Linux host (the runtime Windows hosts without containerd use). A pod of the process
// runtime writes into its claim's volume through $CONTAINER_SANDBOX_MOUNT_POINT/data (a link to the
// volume's directory), a second pod on the same claim reads the file back, and deleting the claim
// removes the volume's directory. Needs no root; run under flock /tmp/tandem-up.lock with the other
// node e2e files all the same (agents share the host).

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { stringify as stringifyYaml } from 'yaml';
import { buildImage } from '../../src/agent/images/oci.js';
import { kubectlAvailable, startTandem, type TandemProcess } from './harness.js';
import { at } from './kubectl-support.js';
import { show, until, type Obj } from './node-session.js';
import { startLinuxAgent, type AgentProcess } from './process-node.js';
import { freePort, pushImage, startRegistry, type Registry } from '../images/registry.js';
import { removeTree } from './remove-tree.js';

const NS = 'volumes-proc';
const TOKEN = `kept-${randomBytes(4).toString('hex')}`;
const nodeName = `volproc-${Math.floor(Math.random() * 1e6)}`;

let srv: TandemProcess | undefined;
let registry: Registry | undefined;
let agent: AgentProcess | undefined;
let scratch = '';
let image = '';

const k = (args: string[], input?: string) => srv!.kubectl(args, input === undefined ? {} : { input });
const ok = (args: string[], input?: string) => {
  const r = k(args, input);
  assert.equal(r.code, 0, `kubectl ${args.join(' ')}\n${show(r)}`);
  return r;
};
const json = (args: string[]): Obj => JSON.parse(ok([...args, '-n', NS, '-o', 'json']).stdout) as Obj;
const apply = (objs: Obj[]) => ok(['apply', '-f', '-'], objs.map((o) => stringifyYaml(o)).join('---\n'));
const podOn = (name: string, script: string): Obj => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: NS },
  spec: {
    runtimeClassName: 'process',
    nodeSelector: { 'kubernetes.io/hostname': nodeName },
    terminationGracePeriodSeconds: 1,
    containers: [{ name: 'main', image, command: ['sh', '-c', script], volumeMounts: [{ name: 'data', mountPath: '/data' }] }],
    volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'data' } }],
  },
});
const running = (name: string) =>
  until(`pod ${name} running`, () => at(json(['get', 'pod', name]), 'status', 'phase') === 'Running', 60_000).catch((e: unknown) => {
    throw new Error(
      `${String(e)}\n${k(['describe', 'pod', name, '-n', NS]).stdout}\n${agent?.output().split('\n').slice(-20).join('\n') ?? ''}`,
    );
  });
const deletePod = async (name: string) => {
  ok(['delete', 'pod', name, '-n', NS, '--wait=false']);
  await until(`pod ${name} gone`, () => k(['get', 'pod', name, '-n', NS]).code !== 0, 60_000);
};

describe('claims on a native-process node (Linux)', { skip: kubectlAvailable() ? false : 'kubectl not found' }, () => {
  before(async () => {
    scratch = mkdtempSync(join(tmpdir(), 'tandem-volproc-'));
    registry = await startRegistry({ dir: join(scratch, 'registry') });
    await pushImage(registry.url, 'tandem-e2e/sh', '1', buildImage({ name: 'sh', os: 'linux', entries: [] }));
    image = `${new URL(registry.url).host}/tandem-e2e/sh:1`;
    srv = await startTandem({ command: 'server' });
    agent = startLinuxAgent(
      { kubeconfig: srv.kubeconfig, dataDir: join(scratch, 'agent'), nodeName, streamingPort: await freePort() },
      'none',
    );
    await agent.ready(120_000);
    ok(['create', 'namespace', NS]);
  });
  after(async () => {
    if (srv) k(['delete', 'pods', '--all', '-n', NS, '--grace-period=1'], undefined);
    await agent?.stop();
    await srv?.stop();
    await registry?.stop();
    if (scratch) removeTree(scratch);
  });

  let dir = '';
  test('a process pod writes into its claim and a second pod reads it back', async () => {
    apply([
      {
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        metadata: { name: 'data', namespace: NS },
        spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '10Mi' } } },
      },
      podOn('writer', `echo ${TOKEN} > "$CONTAINER_SANDBOX_MOUNT_POINT/data/file" && exec sleep 3600`),
    ]);
    await running('writer');
    const pvName = String(at(json(['get', 'pvc', 'data']), 'spec', 'volumeName'));
    dir = String(at(json(['get', 'pv', pvName]), 'spec', 'hostPath', 'path'));
    const root = String(
      at(JSON.parse(ok(['get', 'node', nodeName, '-o', 'json']).stdout), 'metadata', 'annotations', 'tandem.dev/local-path-root'),
    );
    assert.ok(root.startsWith(join(scratch, 'agent')), root);
    assert.equal(dir, join(root, pvName));
    await until('the file on the host', () => existsSync(join(dir, 'file')), 10_000);
    assert.equal(readFileSync(join(dir, 'file'), 'utf8').trim(), TOKEN);
    await deletePod('writer');
    apply([podOn('reader', 'cat "$CONTAINER_SANDBOX_MOUNT_POINT/data/file" && exec sleep 3600')]);
    await running('reader');
    const logs = await until(
      'the reader to print the file',
      () => {
        const out = k(['logs', 'reader', '-n', NS]).stdout;
        return out.includes(TOKEN) ? out : undefined;
      },
      20_000,
    );
    assert.equal(logs.trim(), TOKEN);
  });

  test('the claim deleted after its pod: the directory is removed', async () => {
    await deletePod('reader');
    ok(['delete', 'pvc', 'data', '-n', NS]);
    await until('the directory removed', () => !existsSync(dir), 30_000);
  });
});

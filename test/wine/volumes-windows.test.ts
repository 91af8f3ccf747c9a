// Claims on a Windows node: the real Windows node.exe runs `tandem agent --runtime process` under
// Wine, joined to `tandem server` on Linux. The agent publishes a Windows volume root, the
// local-path provisioner makes the volume's path in Windows style below it, the agent creates the
// directory and runs the pod with the claim mounted, and deleting the claim removes the directory
// (Windows path handling end to end). Wine makes no directory junctions, so the process runtime
// copies volumes there (runtime/process/mounts.ts): what the pod writes is not asserted here.
// Without Wine this fails, unless TANDEM_SKIP_WINE=1.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { stringify as stringifyYaml } from 'yaml';
import { buildImage } from '../../src/agent/images/oci.js';
import { agentServingCert } from '../e2e/agent-cert.js';
import { startTandem, TANDEM, type TandemProcess } from '../e2e/harness.js';
import { at } from '../e2e/kubectl-support.js';
import { show, until, type Obj } from '../e2e/node-session.js';
import { removeTree } from '../e2e/remove-tree.js';
import { freePort, pushImage, startRegistry, type Registry } from '../images/registry.js';
import { startWindowsNode, startWineServer, wineReady, winPath, type WindowsNodeProcess } from './wine.js';

const WINE_BUILD = '10.0.18362';
const NS = 'volumes-win';
const nodeName = `volwin-${Math.floor(Math.random() * 1e6)}`;
const ready = wineReady();

let srv: TandemProcess | undefined;
let registry: Registry | undefined;
let agent: WindowsNodeProcess | undefined;
let scratch = '';
let image = '';

const k = (args: string[], input?: string) => srv!.kubectl(args, input === undefined ? {} : { input });
const ok = (args: string[], input?: string) => {
  const r = k(args, input);
  assert.equal(r.code, 0, `kubectl ${args.join(' ')}\n${show(r)}`);
  return r;
};
const json = (args: string[]): Obj => JSON.parse(ok([...args, '-o', 'json']).stdout) as Obj;
/** Z:\tmp\x as the Linux path /tmp/x */
const linuxPath = (win: string) => win.replace(/^Z:/i, '').replace(/\\/g, '/');

describe('claims on a Windows process node (node.exe under Wine)', { skip: ready ? false : 'Wine not ready' }, () => {
  before(async () => {
    scratch = mkdtempSync(join(tmpdir(), 'tandem-volwin-'));
    registry = await startRegistry({ dir: join(scratch, 'registry') });
    const file = { type: 'file' as const, path: 'wait.cmd', data: Buffer.from('@echo off\r\nping -n 100000 127.0.0.1 >nul\r\n') };
    await pushImage(
      registry.url,
      'tandem-e2e/win',
      '1',
      buildImage({ name: 'win', os: 'windows', osVersion: `${WINE_BUILD}.1`, entries: [file] }),
    );
    image = `${new URL(registry.url).host}/tandem-e2e/win:1`;
    srv = await startTandem({ command: 'server' });
    startWineServer();
    const dataDir = join(scratch, 'agent');
    const tls = agentServingCert(dirname(srv.kubeconfig), nodeName, join(dataDir, 'tls'));
    const args = [winPath(TANDEM), 'agent', '--kubeconfig', winPath(srv.kubeconfig), '--runtime', 'process', '--node-name', nodeName];
    args.push('--tls-cert-file', winPath(tls.certFile), '--tls-private-key-file', winPath(tls.keyFile), '--proxy', 'none');
    agent = startWindowsNode([...args, '--data-dir', winPath(dataDir), '--streaming-port', String(await freePort())], {
      timeoutMs: 20 * 60_000,
    });
    await agent.waitForOutput(/node \S+ ready: joined/, 180_000);
    ok(['create', 'namespace', NS]);
  });
  after(async () => {
    if (srv) k(['delete', 'pods', '--all', '-n', NS, '--grace-period=1']);
    await agent?.stop('SIGINT', 30_000);
    await srv?.stop();
    await registry?.stop();
    if (scratch) removeTree(scratch);
  });

  test('the claim gets a Windows path below the node root; the directory is made, and removed with the claim', async () => {
    const root = String(at(json(['get', 'node', nodeName]), 'metadata', 'annotations', 'tandem.dev/local-path-root'));
    assert.match(root, /^Z:\\.*\\volumes$/, root);
    const pod: Obj = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'user', namespace: NS },
      spec: {
        os: { name: 'windows' },
        runtimeClassName: 'process',
        nodeSelector: { 'kubernetes.io/hostname': nodeName },
        terminationGracePeriodSeconds: 1,
        containers: [{ name: 'main', image, command: ['cmd', '/c', 'wait.cmd'], volumeMounts: [{ name: 'data', mountPath: 'C:\\data' }] }],
        volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'data' } }],
      },
    };
    const pvc: Obj = {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'data', namespace: NS },
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '10Mi' } } },
    };
    ok(['apply', '-f', '-'], [pvc, pod].map((o) => stringifyYaml(o)).join('---\n'));
    await until('the pod running', () => at(json(['get', 'pod', 'user', '-n', NS]), 'status', 'phase') === 'Running', 180_000).catch(
      (e: unknown) => {
        throw new Error(
          `${String(e)}\n${k(['describe', 'pod', 'user', '-n', NS]).stdout}\n${agent?.output().stdout.split('\n').slice(-20).join('\n') ?? ''}`,
        );
      },
    );
    const pvName = String(at(json(['get', 'pvc', 'data', '-n', NS]), 'spec', 'volumeName'));
    const path = String(at(json(['get', 'pv', pvName]), 'spec', 'hostPath', 'path'));
    assert.equal(path, `${root}\\${pvName}`);
    assert.ok(existsSync(linuxPath(path)), `${linuxPath(path)} made by the Windows agent`);
    ok(['delete', 'pod', 'user', '-n', NS]);
    ok(['delete', 'pvc', 'data', '-n', NS]);
    await until('the directory removed by the Windows agent', () => !existsSync(linuxPath(path)), 60_000);
    await until('the volume gone', () => k(['get', 'pv', pvName]).code !== 0, 30_000);
  });
});

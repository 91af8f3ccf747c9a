// E2E (issue 10): `tandem agent --runtime process` run by the real Windows node.exe under Wine, joined
// to `tandem server` on Linux with the admin kubeconfig; the pods are Windows batch files in a Windows
// image (layer files under Files/, config os windows, os.version of Wine's build) from a local
// registry, run by cmd.exe. The scenario is test/e2e/process-node.ts, shared with the Linux run.
// Wine proves behaviour, never speed. Without Wine this fails, unless TANDEM_SKIP_WINE=1.

import assert from 'node:assert/strict';
import { at } from '../e2e/kubectl-support.js';
import { dirname, join } from 'node:path';
import { agentServingCert } from '../e2e/agent-cert.js';
import { TANDEM } from '../e2e/harness.js';
import { pidsWith, processNodeScenario, type AgentProcess } from '../e2e/process-node.js';
import { startWindowsNode, startWineServer, windowsNodeExe, wineReady, winPath } from './wine.js';

const ready = wineReady();

const crlf = (lines: string[]) => Buffer.from(lines.map((l) => `${l}\r\n`).join(''));
const file = (path: string, lines: string[]) => ({ type: 'file' as const, path, data: crlf(lines) });

/** Wine's build (winecfg /v win10 gives 10.0.18362); the image must be for the same build to run process-isolated. */
const WINE_BUILD = '10.0.18362';

function startWineAgent(a: { kubeconfig: string; dataDir: string; nodeName: string; streamingPort: number }): AgentProcess {
  startWineServer();
  const args = [winPath(TANDEM), 'agent', '--kubeconfig', winPath(a.kubeconfig), '--runtime', 'process', '--node-name', a.nodeName];
  // a serving certificate from the cluster CA: the API server refuses agents without one
  const tls = agentServingCert(dirname(a.kubeconfig), a.nodeName, join(a.dataDir, 'tls'));
  args.push('--tls-cert-file', winPath(tls.certFile), '--tls-private-key-file', winPath(tls.keyFile));
  const p = startWindowsNode([...args, '--data-dir', winPath(a.dataDir), '--streaming-port', String(a.streamingPort)], {
    timeoutMs: 30 * 60_000,
  });
  return {
    output: () => {
      const o = p.output();
      return `${o.stdout}${o.stderr}`;
    },
    ready: async (timeoutMs) => void (await p.waitForOutput(/node \S+ ready: joined/, timeoutMs)),
    stop: async () => void (await p.stop('SIGINT', 30_000)),
  };
}

if (ready) {
  processNodeScenario({
    title: 'Windows (the real node.exe under Wine)',
    os: 'windows',
    image: {
      os: 'windows',
      osVersion: `${WINE_BUILD}.1`,
      files: [
        // `ping -n N 127.0.0.1` is Wine's long-running command that costs no CPU
        file('greet.cmd', ['@echo off', 'echo hello %1', 'ping -n 100000 127.0.0.1 >nul']),
        // a child cmd.exe whose own child (the container's grandchild) waits: both carry the marker.
        // (Not `start /b`: Wine's start.exe launches through a process outside the tree, so no
        // parent-pid walk can find what it starts; on Windows `start /b` is cmd's own child.)
        file('tree.cmd', ['@echo off', 'cmd /c "ping -n %1 127.0.0.1 >nul"']),
      ],
    },
    greet: (m) => ['cmd', '/c', 'greet.cmd', m],
    crash: ['cmd', '/c', 'echo crashing & exit 1'],
    tree: (m) => ['cmd', '/c', 'tree.cmd', m],
    version: { command: ['cmd', '/c', 'ver'], expect: /Microsoft Windows/ },
    probeOk: ['cmd', '/c', 'exit 0'],
    probeFail: ['cmd', '/c', 'exit 1'],
    // the userspace proxy cannot add addresses on Windows: NodePorts only
    clusterIPsReachable: false,
    // the Windows node.exe itself, by its absolute path (it is not on the prefix's PATH)
    server: (port, m) => [
      windowsNodeExe(),
      '-e',
      `const m = 'pong ${m}'; require('http').createServer((q, s) => s.end(m)).listen(${port}); const u = require('dgram').createSocket('udp4'); u.on('message', (d, r) => u.send(m, r.port, r.address)); u.bind(${port})`,
    ],
    startAgent: startWineAgent,
    companions: true,
    // Wine's processes show in Linux's ps with their Windows command lines
    processesWith: pidsWith,
    checkNode(node) {
      const labels = at(node, 'metadata', 'labels') as Record<string, string>;
      assert.equal(labels['node.kubernetes.io/windows-build'], WINE_BUILD);
      const info = at(node, 'status', 'nodeInfo') as Record<string, string>;
      assert.equal(info['operatingSystem'], 'windows');
      console.log(
        `# Wine reports: ${info['osImage']}, kernel ${info['kernelVersion']}, build label ${labels['node.kubernetes.io/windows-build']}`,
      );
    },
  });
}

// E2E (issue 10): `tandem agent --runtime process` on Linux, a node without a container engine whose
// pods run as native processes (the HostProcess model), driven by the real kubectl. The same pod
// specs run under the Windows node.exe in Wine in test/wine/windows-node.test.ts.

import { spawn } from 'node:child_process';
import { TANDEM } from './harness.js';
import { pidsWith, processNodeScenario, type AgentProcess } from './process-node.js';

const file = (path: string, text: string) => ({ type: 'file' as const, path, mode: 0o755, data: Buffer.from(text) });

function startLinuxAgent(a: { kubeconfig: string; dataDir: string; nodeName: string; streamingPort: number }): AgentProcess {
  const args = ['agent', '--kubeconfig', a.kubeconfig, '--runtime', 'process', '--node-name', a.nodeName, '--data-dir', a.dataDir];
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

processNodeScenario({
  title: 'Linux',
  os: 'linux',
  image: {
    os: 'linux',
    files: [
      file('greet.sh', 'echo "hello $1"\nexec sleep 100000\n'),
      // a child that starts a grandchild; both carry the marker in their command lines
      file('tree.sh', 'sh -c "sleep $1.5; :" &\nsleep $1.25\n'),
    ],
  },
  greet: (m) => ['sh', 'greet.sh', m],
  crash: ['sh', '-c', 'echo crashing; exit 1'],
  tree: (m) => ['sh', 'tree.sh', m],
  version: { command: ['uname', '-s'], expect: /Linux/ },
  probeOk: ['true'],
  probeFail: ['false'],
  startAgent: startLinuxAgent,
  processesWith: pidsWith,
});

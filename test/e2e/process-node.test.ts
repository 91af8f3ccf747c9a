// E2E (issue 10): `tandem agent --runtime process` on Linux, a node without a container engine whose
// pods run as native processes (the HostProcess model), driven by the real kubectl. The same pod
// specs run under the Windows node.exe in Wine in test/wine/windows-node.test.ts.

import { pidsWith, processNodeScenario, startLinuxAgent } from './process-node.js';

const file = (path: string, text: string) => ({ type: 'file' as const, path, mode: 0o755, data: Buffer.from(text) });

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
  clusterIPsReachable: true,
  server: (port, m) => [
    process.execPath,
    '-e',
    `const m = 'pong ${m}'; require('http').createServer((q, s) => s.end(m)).listen(${port}); const u = require('dgram').createSocket('udp4'); u.on('message', (d, r) => u.send(m, r.port, r.address)); u.bind(${port})`,
  ],
  startAgent: startLinuxAgent,
  processesWith: pidsWith,
});

// A TCP peer for the pod network's namespace tests, run as its own process inside a namespace:
// `peer.js serve IP PORT` answers every connection with the address the connection came FROM (so
// a test sees whether the packet was NATed on its way) and prints "ready"; `peer.js connect IP PORT
// MS` prints that answer, or exits 1 naming the error when nothing answers within MS.

import { connect, createServer } from 'node:net';

const [mode, ip, portArg, msArg] = process.argv.slice(2);
const port = Number(portArg);
if ((mode !== 'serve' && mode !== 'connect') || !ip || !Number.isInteger(port) || port <= 0) {
  process.stderr.write('usage: peer serve IP PORT | peer connect IP PORT TIMEOUT_MS\n');
  process.exit(2);
}

if (mode === 'serve') {
  const server = createServer((s) => s.end(`${s.remoteAddress ?? ''}\n`));
  server.listen(port, ip, () => process.stdout.write('ready\n'));
} else {
  const ms = Number(msArg ?? 2000);
  let answer = '';
  const s = connect({ host: ip, port });
  const timer = setTimeout(() => fail('timeout'), ms);
  const fail = (why: string) => {
    process.stderr.write(`${why}\n`);
    process.exit(1);
  };
  s.setEncoding('utf8');
  s.on('data', (d: string) => (answer += d));
  s.on('error', (e) => fail(e.message));
  s.on('end', () => {
    clearTimeout(timer);
    process.stdout.write(answer);
  });
}

// A client run as its own process inside a network namespace (`ip netns exec NS node probe.js JSON`),
// for the proxy's tests and benchmark. Modes:
// - `tcp`: `count` connections one after another; each reads the greeting line (the endpoint's address);
// - `udp`: `count` datagrams, each from a new socket unless `sourcePort` is given (then one socket);
// - `tcp-rate` / `udp-rate`: for `seconds`, `concurrency` loops of new connections / datagrams.
// Prints one JSON line: `{ answers: string[] }` (an address or an error code per try) or `{ done, seconds }`.

import { createSocket, type Socket } from 'node:dgram';
import { connect } from 'node:net';

interface Probe {
  mode: 'tcp' | 'udp' | 'tcp-rate' | 'udp-rate';
  host: string;
  port: number;
  count?: number;
  sourcePort?: number;
  timeoutMs?: number;
  seconds?: number;
  concurrency?: number;
}

const p = JSON.parse(process.argv[2] ?? '{}') as Probe;
const timeoutMs = p.timeoutMs ?? 2000;

function tcpOnce(): Promise<string> {
  return new Promise((resolve) => {
    const s = connect({ host: p.host, port: p.port });
    let buf = '';
    const t = setTimeout(() => finish('TIMEOUT'), timeoutMs);
    const finish = (v: string) => {
      clearTimeout(t);
      s.destroy();
      resolve(v);
    };
    s.setEncoding('utf8');
    s.on('data', (d: string) => {
      buf += d;
      if (buf.includes('\n')) finish(buf.slice(0, buf.indexOf('\n')));
    });
    s.on('error', (e: NodeJS.ErrnoException) => finish(e.code ?? 'ERROR'));
  });
}

function udpOnce(sock: Socket): Promise<string> {
  return new Promise((resolve) => {
    const t = setTimeout(() => done('TIMEOUT'), timeoutMs);
    const onMsg = (m: Buffer) => done(m.toString());
    const onErr = (e: NodeJS.ErrnoException) => done(e.code ?? 'ERROR');
    const done = (v: string) => {
      clearTimeout(t);
      sock.off('message', onMsg);
      sock.off('error', onErr);
      resolve(v);
    };
    sock.on('message', onMsg);
    sock.on('error', onErr);
    sock.send('ping', p.port, p.host);
  });
}

const newUdp = (port?: number): Promise<Socket> =>
  new Promise((resolve) => {
    const s = createSocket('udp4');
    s.bind(port ?? 0, () => resolve(s));
  });

async function main(): Promise<void> {
  if (p.mode === 'tcp' || p.mode === 'udp') {
    const answers: string[] = [];
    const fixed = p.mode === 'udp' && p.sourcePort ? await newUdp(p.sourcePort) : undefined;
    for (let i = 0; i < (p.count ?? 1); i++) {
      if (p.mode === 'tcp') answers.push(await tcpOnce());
      else {
        const s = fixed ?? (await newUdp());
        answers.push(await udpOnce(s));
        if (!fixed) s.close();
      }
    }
    fixed?.close();
    process.stdout.write(`${JSON.stringify({ answers })}\n`);
    return;
  }
  const end = Date.now() + (p.seconds ?? 2) * 1000;
  let done = 0;
  const loops = Array.from({ length: p.concurrency ?? 4 }, async () => {
    const s = p.mode === 'udp-rate' ? await newUdp() : undefined;
    while (Date.now() < end) {
      const r = s ? await udpOnce(s) : await tcpOnce();
      if (r !== 'TIMEOUT' && !/^E[A-Z]+$/.test(r)) done++;
    }
    s?.close();
  });
  const start = Date.now();
  await Promise.all(loops);
  process.stdout.write(`${JSON.stringify({ done, seconds: (Date.now() - start) / 1000 })}\n`);
}

void main();

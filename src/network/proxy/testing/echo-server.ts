// A stand-in for backend pods, run as its own process inside a network namespace
// (`ip netns exec NS node echo-server.js IP[,IP...] PORT`): on each address a TCP server that
// greets every connection with the address it was reached on and then echoes, and a UDP socket
// that answers every datagram with that address. Prints "ready" once everything listens.

import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';

const [ipsArg, portArg] = process.argv.slice(2);
const ips = (ipsArg ?? '').split(',').filter(Boolean);
const port = Number(portArg);
if (ips.length === 0 || !Number.isInteger(port) || port <= 0) {
  process.stderr.write('usage: echo-server IP[,IP...] PORT\n');
  process.exit(2);
}

let pending = ips.length * 2;
const up = () => {
  if (--pending === 0) process.stdout.write('ready\n');
};
for (const ip of ips) {
  const tcp = createServer((s) => {
    s.on('error', () => {});
    s.write(`${ip}\n`);
    s.pipe(s);
  });
  tcp.listen(port, ip, up);
  const udp = createSocket('udp4');
  const reply = Buffer.from(ip);
  udp.on('message', (_msg, rinfo) => udp.send(reply, rinfo.port, rinfo.address));
  udp.bind(port, ip, up);
}

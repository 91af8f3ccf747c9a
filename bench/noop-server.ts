// The machine's ceilings, as a child process: node noop-server.js CERT KEY
// - any request except the two below: reads the body and answers 201 with a small JSON document;
// - GET /watch: a chunked 200 response held open;
// - POST /broadcast: writes `{"type":"MODIFIED","resourceVersion":"N","object":BODY}\n` (one string,
//   built once) to every open /watch response and answers 201 {"resourceVersion":"N"}.

import https from 'node:https';
import { API_TLS_CIPHERS } from '../src/apiserver/http/tls-ciphers.js';
import type { ServerResponse } from 'node:http';
import { readFileSync } from 'node:fs';

const [certPath, keyPath] = process.argv.slice(2);
if (!certPath || !keyPath) {
  process.stderr.write('usage: noop-server.js CERT KEY\n');
  process.exit(2);
}
const reply = JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Success', code: 201 });
const watchers = new Set<ServerResponse>();
let rv = 0;
// the same TLS suites, in the same order, as the API server: a fair ceiling
const server = https.createServer(
  { cert: readFileSync(certPath), key: readFileSync(keyPath), keepAliveTimeout: 65_000, ciphers: API_TLS_CIPHERS, honorCipherOrder: true },
  (req, res) => {
    if (req.method === 'GET' && req.url === '/watch') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.flushHeaders();
      watchers.add(res);
      res.on('close', () => watchers.delete(res));
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => {
      chunks.push(c);
    });
    req.on('end', () => {
      let body = reply;
      if (req.url === '/broadcast') {
        rv++;
        const line = `{"type":"MODIFIED","resourceVersion":"${rv}","object":${Buffer.concat(chunks).toString()}}\n`;
        for (const w of watchers) w.write(line);
        body = `{"resourceVersion":"${rv}"}`;
      }
      res.writeHead(201, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
  },
);
server.listen(0, '127.0.0.1', () => {
  const a = server.address();
  process.stdout.write(`noop ready at ${typeof a === 'object' && a ? a.port : 0}\n`);
});
process.on('SIGTERM', () => {
  for (const w of watchers) w.destroy();
  server.close(() => process.exit(0));
});
setInterval(() => undefined, 1 << 30);

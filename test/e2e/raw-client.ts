// Raw HTTPS access to a running tandem server (trusting its CA, bearer token), for e2e tests that
// need exact control over methods, headers and bodies.

import https from 'node:https';
import type { IncomingHttpHeaders } from 'node:http';

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
}

interface RawRequest {
  body?: string | Buffer;
  headers?: Record<string, string>;
  /** override the bearer token; null sends no Authorization header */
  token?: string | null;
  timeoutMs?: number;
}

export interface RawClient {
  request(method: string, path: string, r?: RawRequest): Promise<RawResponse>;
  close(): void;
}

export function createRawClient(o: { url: string; caPem: string; token: string; keepAlive?: boolean }): RawClient {
  const base = new URL(o.url);
  const agent = new https.Agent({ ca: o.caPem, keepAlive: o.keepAlive ?? false, maxSockets: 16 });
  return {
    request(method, path, r = {}) {
      return new Promise((resolve, reject) => {
        const headers: Record<string, string | number> = { ...r.headers };
        const token = r.token === undefined ? o.token : r.token;
        if (token !== null) headers['Authorization'] = `Bearer ${token}`;
        if (r.body !== undefined) headers['Content-Length'] = Buffer.byteLength(r.body);
        const req = https.request({ host: base.hostname, port: base.port, method, path, headers, agent }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        });
        req.setTimeout(r.timeoutMs ?? 15_000, () => req.destroy(new Error(`timeout: ${method} ${path}`)));
        req.on('error', reject);
        if (r.body !== undefined) req.write(r.body);
        req.end();
      });
    },
    close() {
      agent.destroy();
    },
  };
}

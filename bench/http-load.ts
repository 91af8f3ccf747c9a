// A lean HTTPS load generator: keep-alive agents, pre-built headers, closed-loop workers, latency
// recorded per request. It shares the CPU with the server under test, so it does as little as possible.

import https from 'node:https';
import { performance } from 'node:perf_hooks';
import { summarize, type LatencySummary } from './stats.js';

export interface Target {
  host: string;
  port: number;
  ca: string;
  token?: string;
}

interface Reply {
  status: number;
  body: string | undefined;
  bytes: number;
}

export function createAgent(maxSockets: number): https.Agent {
  return new https.Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets, scheduling: 'lifo' });
}

export interface Client {
  /** `keepBody` collects the response text; otherwise the body is drained and only counted */
  send(method: string, path: string, body?: string, opts?: { keepBody?: boolean; contentType?: string }): Promise<Reply>;
  agent: https.Agent;
  close(): void;
}

export function createClient(t: Target, maxSockets: number): Client {
  const agent = createAgent(maxSockets);
  const base: Record<string, string> = { accept: 'application/json' };
  if (t.token) base['authorization'] = `Bearer ${t.token}`;
  const send: Client['send'] = (method, path, body, opts) =>
    new Promise<Reply>((resolve, reject) => {
      const headers: Record<string, string | number> = { ...base };
      if (body !== undefined) {
        headers['content-type'] = opts?.contentType ?? 'application/json';
        headers['content-length'] = Buffer.byteLength(body);
      }
      const req = https.request({ host: t.host, port: t.port, method, path, ca: t.ca, agent, headers }, (res) => {
        let bytes = 0;
        // error bodies are always kept, for the report
        const chunks: Buffer[] | undefined = opts?.keepBody || (res.statusCode ?? 0) >= 300 ? [] : undefined;
        res.on('data', (c: Buffer) => {
          bytes += c.length;
          chunks?.push(c);
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: chunks ? Buffer.concat(chunks).toString() : undefined, bytes }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(body);
    });
  return { send, agent, close: () => agent.destroy() };
}

export interface LoadResult {
  ok: number;
  errors: number;
  seconds: number;
  /** successful requests per second */
  rate: number;
  latencyMs: LatencySummary;
  firstError: string | undefined;
}

export interface LoadOptions {
  concurrency: number;
  /** stop issuing new requests after this long */
  durationMs: number;
  /** or after this many requests in total (whichever comes first) */
  maxRequests?: number;
  /** issue request number i; resolve to true when it succeeded */
  op: (i: number) => Promise<boolean | string>;
}

/** `concurrency` workers, each with one request in flight, until the time or request budget is spent. */
export async function closedLoop(o: LoadOptions): Promise<LoadResult> {
  const max = o.maxRequests ?? Number.POSITIVE_INFINITY;
  const lat: number[] = [];
  let next = 0;
  let ok = 0;
  let errors = 0;
  let firstError: string | undefined;
  const start = performance.now();
  const deadline = start + o.durationMs;
  const worker = async () => {
    while (next < max && performance.now() < deadline) {
      const i = next++;
      const t0 = performance.now();
      let r: boolean | string;
      try {
        r = await o.op(i);
      } catch (err) {
        r = err instanceof Error ? err.message : String(err);
      }
      if (r === true) {
        ok++;
        lat.push(performance.now() - t0);
      } else {
        errors++;
        firstError ??= r === false ? 'failed' : r;
      }
    }
  };
  await Promise.all(Array.from({ length: o.concurrency }, worker));
  const seconds = (performance.now() - start) / 1000;
  return { ok, errors, seconds, rate: ok / seconds, latencyMs: summarize(lat), firstError };
}

// Runs one probe or lifecycle handler: exec through the runtime (a timeout is a failure), httpGet
// (200-399 is success) and tcpSocket (a connection is success).

import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { Container, IntOrString, LifecycleHandler, Probe } from '../../api/gen/types.js';
import { ExecTimeoutError, type Runtime } from '../runtime/runtime.js';

export interface ProbeOutcome {
  ok: boolean;
  output: string;
}

export interface HandlerTarget {
  runtime: Runtime;
  containerId: string;
  container: Container;
  /** podIP, or the host's address for hostNetwork pods */
  host: string;
  timeoutSeconds: number;
}

function resolvePort(port: IntOrString, c: Container): number {
  if (typeof port === 'number') return port;
  if (/^\d+$/.test(port)) return Number(port);
  const p = (c.ports ?? []).find((x) => x.name === port);
  if (!p) throw new Error(`couldn't find port ${port} in container ${c.name}`);
  return p.containerPort;
}

function httpProbe(url: URL, headers: Record<string, string>, timeoutMs: number): Promise<ProbeOutcome> {
  return new Promise((resolve) => {
    const mod = url.protocol === 'https:' ? https : http;
    const req = mod.request(
      url,
      {
        method: 'GET',
        headers: { 'User-Agent': 'kube-probe/1.32', Accept: '*/*', ...headers },
        timeout: timeoutMs,
        rejectUnauthorized: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          if (size < 10_240) {
            chunks.push(c);
            size += c.length;
          }
        });
        res.on('end', () => {
          const code = res.statusCode ?? 0;
          const body = Buffer.concat(chunks).toString('utf8');
          resolve(
            code >= 200 && code < 400 ? { ok: true, output: body } : { ok: false, output: `HTTP probe failed with statuscode: ${code}` },
          );
        });
        res.on('error', (e) => resolve({ ok: false, output: e.message }));
      },
    );
    req.on('timeout', () => {
      req.destroy();
      resolve({ ok: false, output: `Get "${url.href}": context deadline exceeded (Client.Timeout exceeded while awaiting headers)` });
    });
    req.on('error', (e) => resolve({ ok: false, output: `Get "${url.href}": ${e.message}` }));
    req.end();
  });
}

function tcpProbe(host: string, port: number, timeoutMs: number): Promise<ProbeOutcome> {
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    const t = setTimeout(() => {
      s.destroy();
      resolve({ ok: false, output: `dial tcp ${host}:${port}: i/o timeout` });
    }, timeoutMs);
    s.on('connect', () => {
      clearTimeout(t);
      s.destroy();
      resolve({ ok: true, output: '' });
    });
    s.on('error', (e) => {
      clearTimeout(t);
      resolve({ ok: false, output: `dial tcp ${host}:${port}: ${e.message}` });
    });
  });
}

/** Runs a probe's or a lifecycle hook's action (both carry exec, httpGet and tcpSocket). */
export async function runHandler(h: Probe | LifecycleHandler, t: HandlerTarget): Promise<ProbeOutcome> {
  const timeoutMs = Math.max(1, t.timeoutSeconds) * 1000;
  try {
    if (h.exec) {
      const r = await t.runtime.execSync(t.containerId, h.exec.command ?? [], t.timeoutSeconds);
      const output = Buffer.concat([r.stdout, r.stderr]).toString('utf8');
      return { ok: r.exitCode === 0, output: r.exitCode === 0 ? output : output || `command terminated with exit code ${r.exitCode}` };
    }
    if (h.httpGet) {
      const g = h.httpGet;
      const host = g.host || t.host;
      const port = resolvePort(g.port, t.container);
      const scheme = (g.scheme ?? 'HTTP').toLowerCase();
      const path = g.path ? (g.path.startsWith('/') ? g.path : `/${g.path}`) : '/';
      const url = new URL(`${scheme}://${host.includes(':') ? `[${host}]` : host}:${port}${path}`);
      const headers: Record<string, string> = {};
      for (const hh of g.httpHeaders ?? []) headers[hh.name] = hh.value;
      return await httpProbe(url, headers, timeoutMs);
    }
    if (h.tcpSocket) return await tcpProbe(h.tcpSocket.host || t.host, resolvePort(h.tcpSocket.port, t.container), timeoutMs);
    return { ok: false, output: 'missing probe handler' };
  } catch (e) {
    if (e instanceof ExecTimeoutError) return { ok: false, output: `command timed out: ${e.message}` };
    return { ok: false, output: e instanceof Error ? e.message : String(e) };
  }
}

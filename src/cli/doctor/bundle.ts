// `tandem doctor --bundle FILE`: what a maintainer needs to help, in one .tar.gz: the doctor's report,
// versions, the kubeconfig with its credentials removed, nodes, pods and recent events, and the
// tails of the logs under the data dir. Tokens, keys and Secret data never go in.

import { readFileSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { findFiles } from './find-files.js';
import { parse, stringify } from 'yaml';
import { apiRequest, type ApiCredentials } from './checks-api.js';
import type { DoctorReport } from './doctor.js';
import { tarGz, type TarEntry } from './tar-writer.js';

const LOG_TAIL_BYTES = 1 << 20;
const REDACTED = 'REDACTED';
const SECRET_KEYS = new Set(['token', 'client-key-data', 'client-key', 'password', 'client-certificate-data']);

/** A kubeconfig with every credential replaced by REDACTED. */
export function redactKubeconfig(text: string): string {
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') {
      return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, SECRET_KEYS.has(k) ? REDACTED : walk(x)]));
    }
    return v;
  };
  return stringify(walk(parse(text)));
}

function tail(path: string): Buffer {
  const b = readFileSync(path);
  return b.length > LOG_TAIL_BYTES ? b.subarray(b.length - LOG_TAIL_BYTES) : b;
}

export interface BundleInput {
  report: DoctorReport;
  versions: unknown;
  creds?: ApiCredentials;
}

/** Writes the bundle (0600: logs may name hosts and images) and returns the names it holds. */
export async function writeBundle(file: string, b: BundleInput): Promise<string[]> {
  const entries: TarEntry[] = [
    { name: 'doctor.json', data: JSON.stringify(b.report, null, 2) },
    { name: 'versions.json', data: JSON.stringify(b.versions, null, 2) },
  ];
  const kc = b.report.kubeconfig;
  if (kc) {
    try {
      entries.push({ name: 'kubeconfig.redacted.yaml', data: redactKubeconfig(readFileSync(kc, 'utf8')) });
    } catch {
      /* unreadable: the doctor's report says so */
    }
  }
  if (b.creds) {
    for (const [name, path] of [
      ['nodes.json', '/api/v1/nodes'],
      ['pods.json', '/api/v1/pods'],
      ['events.json', '/api/v1/events?limit=500'],
    ] as const) {
      const r = await apiRequest(b.creds, 'GET', path).catch((e: unknown) => ({ status: 0, body: String(e) }));
      entries.push({
        name,
        data: r.status === 200 ? r.body : JSON.stringify({ error: `GET ${path}: ${r.status} ${r.body.slice(0, 500)}` }),
      });
    }
  }
  const logs = findFiles(b.report.dataDir, 4, (n) => n.endsWith('.log'), ['images', 'volumes']);
  for (const l of logs) {
    const name = `logs/${relative(b.report.dataDir, l).replace(/\\/g, '/')}`;
    if (Buffer.byteLength(name) <= 100) entries.push({ name, data: tail(l) });
  }
  writeFileSync(file, tarGz(entries), { mode: 0o600 });
  return entries.map((e) => e.name);
}

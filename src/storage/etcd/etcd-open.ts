// Opening the etcd store named by a spec at server start: the TLS files read (a missing or unreadable
// file named), upstream's key layout on, and an etcd that does not answer yet (members still
// starting, a network not up) retried with a growing delay, each retry logged with the endpoints,
// until a deadline; then the start fails naming the endpoints and etcd's last answer.
import { readFileSync } from 'node:fs';
import type { Logger } from '../../base/log.js';
import { StorageUnavailableError } from '../backend.js';
import type { AutoCompactOptions } from '../auto-compact.js';
import { createEtcdBackend, type EtcdBackend, type EtcdTls } from './etcd-backend.js';
import { parseEtcdSpec } from './etcd-spec.js';
import { UPSTREAM_LAYOUT } from './key-layout.js';

export interface EtcdTlsFiles {
  /** CA bundle that signed the members' serving certificates (--etcd-cafile) */
  caFile?: string;
  /** client certificate (--etcd-certfile) */
  certFile?: string;
  /** its key (--etcd-keyfile) */
  keyFile?: string;
}

export interface EtcdOpenOptions extends AutoCompactOptions {
  etcdTls?: EtcdTlsFiles;
  /** how long to retry an etcd that does not answer at start (default 30 s) */
  etcdStartTimeoutMs?: number;
  /** deadline of each call to etcd (default 10 s) */
  etcdCallTimeoutMs?: number;
  log?: Logger;
}

function read(flag: string, file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (e) {
    throw new Error(`${flag} ${file}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
}

function tlsOf(t: EtcdTlsFiles | undefined): EtcdTls | undefined {
  if (!t || (!t.caFile && !t.certFile && !t.keyFile)) return undefined;
  if (!t.caFile) throw new Error('--etcd-certfile/--etcd-keyfile need --etcd-cafile (the CA of the etcd members)');
  if (!t.certFile !== !t.keyFile) throw new Error('--etcd-certfile and --etcd-keyfile go together (a client certificate and its key)');
  return {
    ca: read('--etcd-cafile', t.caFile),
    ...(t.certFile ? { cert: read('--etcd-certfile', t.certFile) } : {}),
    ...(t.keyFile ? { key: read('--etcd-keyfile', t.keyFile) } : {}),
  };
}

export async function openEtcdStore(spec: string, o: EtcdOpenOptions = {}): Promise<EtcdBackend> {
  const { endpoints, prefix } = parseEtcdSpec(spec);
  const tls = tlsOf(o.etcdTls);
  const limit = o.etcdStartTimeoutMs ?? 30_000;
  const until = Date.now() + limit;
  let delay = 250;
  for (let attempt = 1; ; attempt++) {
    try {
      return await createEtcdBackend({
        endpoints,
        prefix,
        layout: UPSTREAM_LAYOUT,
        ...(tls ? { tls } : {}),
        callTimeoutMs: Math.min(o.etcdCallTimeoutMs ?? 10_000, Math.max(1000, until - Date.now())),
        ...(o.log ? { log: o.log } : {}),
        ...(o.compactInterval !== undefined ? { compactInterval: o.compactInterval } : {}),
        ...(o.retainRevisions !== undefined ? { retainRevisions: o.retainRevisions } : {}),
        ...(o.retainMs !== undefined ? { retainMs: o.retainMs } : {}),
      });
    } catch (e) {
      if (!(e instanceof StorageUnavailableError)) throw e;
      const left = until - Date.now();
      if (left <= 0) {
        throw new Error(
          `etcd at ${endpoints.join(',')} (${tls ? 'https' : 'http'}) did not answer within ${Math.round(limit / 1000)} s ` +
            `(${attempt} attempts): ${e.reason}`,
          { cause: e },
        );
      }
      o.log?.warn('etcd does not answer yet, retrying', { endpoints: endpoints.join(','), attempt, retryInMs: delay, error: e.reason });
      await new Promise((r) => setTimeout(r, Math.min(delay, left)));
      delay = Math.min(delay * 2, 5000);
    }
  }
}

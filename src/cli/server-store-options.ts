// How `tandem server` opens its store beyond the spec itself: a control-plane join before the first
// start (control-plane-join.ts, loaded only then), the etcd store's TLS files and logger, and the
// Event TTL that tests shorten through the environment.
import type { EtcdTlsFiles } from '../storage/index.js';
import { createLogger, type Logger } from '../base/log.js';
import type { ControlPlaneJoin } from './control-plane-join.js';

/** Loaded only for a join: a normal start never reads the agent's CA discovery. */
export async function joinBeforeStart(dataDir: string, spec: string, join: ControlPlaneJoin, log: Logger): Promise<void> {
  const { checkJoinStore, joinControlPlane } = await import('./control-plane-join.js');
  checkJoinStore(spec);
  const jlog = log.child('join');
  await joinControlPlane(dataDir, join, (line) => jlog.info(line));
}

/** The etcd store's TLS files and a logger for its retries (nothing for other stores). */
export function etcdStoreOptions(o: { store?: string; etcdTls?: EtcdTlsFiles; log?: Logger }): { etcdTls?: EtcdTlsFiles; log?: Logger } {
  if (!o.store?.startsWith('etcd://')) return {};
  return { ...(o.etcdTls ? { etcdTls: o.etcdTls } : {}), log: (o.log ?? createLogger()).child('etcd') };
}

/** The Event TTL tests shorten through the environment (default: event-ttl.ts's hour). */
export function eventTtlOption(): { ttlMs?: number } {
  return process.env['TANDEM_EVENT_TTL_MS'] ? { ttlMs: Number(process.env['TANDEM_EVENT_TTL_MS']) } : {};
}

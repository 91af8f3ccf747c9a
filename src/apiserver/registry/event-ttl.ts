// Events expire a fixed time after their last write, as upstream's `--event-ttl` (default 1 h)
// makes etcd expire them. The store has no wall-clock time per write, so the sweeper samples
// (revision, time) pairs: a key whose newest revision is at or below a sample taken at least `ttl`
// ago was last written at least `ttl` ago, and is deleted (with its revision as precondition, so a
// write that lands meanwhile wins). Expiry is therefore late by up to one sweep interval, never
// early; after a restart, older events count from the first sample. Deletions go to the store
// directly, like a lease expiring in etcd: watchers see DELETED events.
import type { Logger } from '../../base/log.js';
import type { KindDef } from '../../api/kind.js';
import { ConflictError, KeyNotFoundError, type Backend } from '../../storage/backend.js';
import { listPrefix } from './keys.js';

const DEFAULT_EVENT_TTL_MS = 60 * 60 * 1000;

export interface EventTtlOptions {
  backend: Backend;
  /** the Event kinds (core/v1 and events.k8s.io/v1 are stored apart) */
  kinds: readonly KindDef[];
  ttlMs?: number;
  /** default: a quarter of the TTL, between 50 ms and 60 s */
  intervalMs?: number;
  now?: () => number;
  log?: Logger;
}

export interface EventTtl {
  /** One sweep now (also run by the timer); resolves with the number of events deleted. */
  sweep(): Promise<number>;
  /** Stops the timer and waits for a sweep in progress. */
  stop(): Promise<void>;
}

/**
 * On a store whose keys can expire (etcd: leases), Events expire in the store itself, as upstream's:
 * call before anything writes Events. Returns false for a store that needs the sweeper.
 */
export function expireEventsInStore(o: Pick<EventTtlOptions, 'backend' | 'kinds' | 'ttlMs'>): boolean {
  if (!o.backend.expireUnder) return false;
  o.backend.expireUnder(
    o.kinds.map((k) => listPrefix(k, undefined)),
    o.ttlMs ?? DEFAULT_EVENT_TTL_MS,
  );
  return true;
}

export function startEventTtl(o: EventTtlOptions): EventTtl {
  if (expireEventsInStore(o)) return { sweep: () => Promise.resolve(0), stop: () => Promise.resolve() };
  const ttl = o.ttlMs ?? DEFAULT_EVENT_TTL_MS;
  const interval = o.intervalMs ?? Math.min(60_000, Math.max(50, Math.floor(ttl / 4)));
  const now = o.now ?? Date.now;
  const prefixes = o.kinds.map((k) => listPrefix(k, undefined));
  /** (revision, time) samples, oldest first */
  const samples: Array<{ rev: number; at: number }> = [];
  let running: Promise<number> | undefined;

  const sweepOnce = async (): Promise<number> => {
    const t = now();
    samples.push({ rev: await o.backend.currentRevision(), at: t });
    // the newest sample taken at least ttl ago bounds what may go; older ones are not needed again
    let cut = -1;
    for (let i = 0; i < samples.length && (samples[i] as { at: number }).at <= t - ttl; i++) cut = i;
    if (cut < 0) return 0;
    const bound = (samples[cut] as { rev: number }).rev;
    samples.splice(0, cut);
    let deleted = 0;
    const expire = async (key: string, rev: number) => {
      try {
        await o.backend.delete(key, rev);
        deleted++;
      } catch (e) {
        if (!(e instanceof ConflictError) && !(e instanceof KeyNotFoundError)) throw e;
      }
    };
    for (const prefix of prefixes) {
      const { kvs } = await o.backend.list(prefix);
      const old = kvs.filter((kv) => kv.modRevision <= bound);
      // in slices, so that the store commits each slice as one group
      for (let i = 0; i < old.length; i += 256) await Promise.all(old.slice(i, i + 256).map((kv) => expire(kv.key, kv.modRevision)));
    }
    return deleted;
  };
  const sweep = () => {
    running ??= sweepOnce().finally(() => {
      running = undefined;
    });
    return running;
  };
  void sweep(); // the first sample
  const timer = setInterval(() => {
    sweep().catch((e: unknown) => o.log?.warn('event TTL sweep failed', { error: e }));
  }, interval);
  timer.unref();
  return {
    sweep,
    async stop() {
      clearInterval(timer);
      await running?.catch(() => 0);
    },
  };
}

// `tandem server` on etcd says, in its log, when the etcd under it cannot give what HA promises: a
// single member (no fault tolerance), or members that disagree (different cluster ids: the endpoints
// are two clusters; raft terms far apart or no common leader: a member cut off; an endpoint that does
// not answer). Checked at start and then every minute, and logged only when what is wrong changes,
// so a steady problem is one line, not a line a minute. The checks are `tandem doctor`'s probe
// (doctor/etcd-probe.ts); doctor gives the fixes.
import { realClock, type Clock } from '../base/clock.js';
import type { Logger } from '../base/log.js';
import type { EtcdTlsFiles } from '../storage/etcd/etcd-open.js';
import { etcdEndpointsOf, probeEtcd, type EndpointStatus, type EtcdProbe, type EtcdTarget } from './doctor/etcd-probe.js';

/** Raft terms of healthy members are equal; a member this far behind has missed elections (cut off or restarting). */
const TERM_SPREAD = 2;

type Answered = Extract<EndpointStatus, { ok: true }>;

/** What is wrong with the etcd for HA, one stable sentence each (no timings, so repeated probes compare equal). */
export function etcdWarnings(p: EtcdProbe): string[] {
  const out: string[] = [];
  const up = p.endpoints.filter((e): e is Answered => e.ok);
  for (const e of p.endpoints) if (!e.ok) out.push(`etcd endpoint ${e.endpoint} does not answer`);
  if (up.length === 0) return out;
  const clusters = new Set(up.map((e) => e.clusterId));
  if (clusters.size > 1) {
    out.push(
      `etcd endpoints belong to different clusters (${up.map((e) => `${e.endpoint}: cluster ${e.clusterId}`).join(', ')}): list the members of one cluster in --store`,
    );
  }
  if (p.members?.length === 1) {
    const m = p.members[0]!;
    out.push(
      `etcd has one member (${m.name || m.id}): no fault tolerance, losing it stops the cluster; run 3 members for high availability`,
    );
  }
  const terms = up.map((e) => e.raftTerm);
  if (Math.max(...terms) - Math.min(...terms) >= TERM_SPREAD) {
    out.push(
      `etcd members disagree on the raft term (${up.map((e) => `${e.endpoint}: ${e.raftTerm}`).join(', ')}): a member is cut off from the others`,
    );
  }
  const leaders = new Set(up.map((e) => e.leader));
  if (leaders.has('0')) out.push('etcd has no leader: fewer than a quorum of members reach each other; writes stop');
  else if (leaders.size > 1) out.push(`etcd members name different leaders (${[...leaders].join(', ')})`);
  return out;
}

export interface EtcdWarningsOptions {
  target: EtcdTarget;
  log: Logger;
  /** between checks (default 60 s) */
  intervalMs?: number;
  clock?: Clock;
}

export interface EtcdWarnings {
  /** resolves after the first check has been logged */
  readonly first: Promise<void>;
  stop(): void;
}

/** Checks now and every `intervalMs`; logs a warning line per problem when the set changes, and once when it clears. */
export function startEtcdWarnings(o: EtcdWarningsOptions): EtcdWarnings {
  const clock = o.clock ?? realClock;
  const intervalMs = o.intervalMs ?? 60_000;
  let last: string[] = [];
  let stopped = false;
  let cancel: (() => void) | undefined;
  const check = async (): Promise<void> => {
    let now: string[];
    try {
      now = etcdWarnings(await probeEtcd(o.target));
    } catch (e) {
      now = [`etcd could not be checked: ${e instanceof Error ? e.message : String(e)}`];
    }
    if (stopped) return;
    if (now.join('\n') !== last.join('\n')) {
      for (const w of now) o.log.warn(w);
      if (now.length === 0 && last.length > 0) o.log.info('etcd: the earlier warnings no longer apply');
      last = now;
    }
  };
  const loop = (): void => {
    cancel = clock.schedule(() => {
      void check().finally(() => {
        if (!stopped) loop();
      });
    }, intervalMs);
  };
  const first = check().finally(() => {
    if (!stopped) loop();
  });
  return {
    first,
    stop() {
      stopped = true;
      cancel?.();
    },
  };
}

/** The server's hook: warnings for a store `spec` that is etcd (with the store's TLS files), nothing for another store. */
export function startServerEtcdWarnings(spec: string, tls: EtcdTlsFiles | undefined, log: Logger): EtcdWarnings | undefined {
  if (!spec.startsWith('etcd')) return undefined;
  const endpoints = etcdEndpointsOf(spec, tls?.caFile !== undefined);
  return startEtcdWarnings({ target: { endpoints, ...(tls ? { tls } : {}) }, log });
}

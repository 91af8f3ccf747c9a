// One look at an etcd cluster as an operator needs it: each endpoint's Status (timed: the latency
// figure), the member list, the alarms. Used by `tandem doctor` (etcd-checks.ts) and by the server's
// start-up and periodic warnings (../etcd-warnings.ts). Each endpoint is asked through its own
// client, so a dead member shows as that member's error rather than being hidden by the client's
// failover; every call has a deadline, so an unreachable endpoint costs at most `timeoutMs`.
import { readFileSync } from 'node:fs';
import { Etcd3, type IOptions } from 'etcd3';
import type { EtcdTlsFiles } from '../../storage/etcd/etcd-open.js';
import { parseEtcdSpec } from '../../storage/etcd/etcd-spec.js';

/** How to reach the etcd: client URLs (`http://h:p` or `https://h:p`) and TLS files (PEM). */
export interface EtcdTarget {
  endpoints: string[];
  tls?: EtcdTlsFiles;
}

export type EndpointStatus =
  | {
      endpoint: string;
      ok: true;
      /** wall time of the Status call */
      ms: number;
      /** member and cluster ids in hex, as etcdctl prints them */
      memberId: string;
      clusterId: string;
      /** the leader this member believes in (hex; "0" when it knows none) */
      leader: string;
      version: string;
      dbSize: number;
      dbSizeInUse: number;
      raftTerm: number;
      raftIndex: number;
      isLearner: boolean;
      errors: string[];
    }
  | { endpoint: string; ok: false; ms: number; error: string };

interface EtcdMemberInfo {
  id: string;
  name: string;
  clientUrls: string[];
  peerUrls: string[];
  isLearner: boolean;
}

export interface EtcdProbe {
  endpoints: EndpointStatus[];
  /** from the first endpoint that answered; undefined with `membersError` when none did */
  members?: EtcdMemberInfo[];
  membersError?: string;
  alarms?: Array<{ memberId: string; alarm: string }>;
  alarmsError?: string;
}

const hex = (id: string | number | undefined): string => {
  try {
    return BigInt(id ?? 0).toString(16);
  } catch {
    return String(id);
  }
};

/** The error's first line; for gRPC's long "no connection" text, just the socket's error (connect ECONNREFUSED h:p). */
const message = (e: unknown): string => {
  const text = (e instanceof Error ? e.message : String(e)).split('\n')[0] ?? '';
  return /\b(connect E[A-Z]+ [^\s.]+(?:\.[^\s.]+)*)/.exec(text)?.[1] ?? text;
};

/** `etcd://h:p[,h:p…][/prefix]` → client URLs (https when TLS files are given); throws naming the bad part of the spec. */
export function etcdEndpointsOf(spec: string, https: boolean): string[] {
  try {
    return parseEtcdSpec(spec).endpoints.map((hp) => `${https ? 'https' : 'http'}://${hp}`);
  } catch (e) {
    throw new Error(`invalid etcd store "${spec}": ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
}

function clientOptions(t: EtcdTarget, endpoint: string, timeoutMs: number): IOptions {
  const tls = t.tls;
  return {
    hosts: [endpoint],
    dialTimeout: timeoutMs,
    ...(tls?.caFile
      ? {
          credentials: {
            rootCertificate: readFileSync(tls.caFile),
            ...(tls.certFile && tls.keyFile ? { certChain: readFileSync(tls.certFile), privateKey: readFileSync(tls.keyFile) } : {}),
          },
        }
      : {}),
  };
}

/** A promise that rejects after `ms`: the client retries recoverable errors, the probe must not wait for that. */
function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer in ${ms} ms`)), ms);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

async function statusOf(c: Etcd3, endpoint: string, timeoutMs: number): Promise<EndpointStatus> {
  const t0 = performance.now();
  try {
    const s = await within(c.maintenance.status({ deadline: Date.now() + timeoutMs }), timeoutMs, endpoint);
    return {
      endpoint,
      ok: true,
      ms: performance.now() - t0,
      memberId: hex(s.header.member_id),
      clusterId: hex(s.header.cluster_id),
      leader: hex(s.leader),
      version: s.version,
      dbSize: Number(s.dbSize),
      dbSizeInUse: Number(s.dbSizeInUse),
      raftTerm: Number(s.raftTerm),
      raftIndex: Number(s.raftIndex),
      isLearner: s.isLearner === true,
      errors: s.errors ?? [],
    };
  } catch (e) {
    return { endpoint, ok: false, ms: performance.now() - t0, error: message(e) };
  }
}

/** Asks every endpoint for its Status, and the first that answers for the members and the alarms. */
export async function probeEtcd(t: EtcdTarget, o: { timeoutMs?: number } = {}): Promise<EtcdProbe> {
  const timeoutMs = o.timeoutMs ?? 3000;
  const clients = t.endpoints.map((e) => new Etcd3(clientOptions(t, e, timeoutMs)));
  try {
    const endpoints = await Promise.all(clients.map((c, i) => statusOf(c, t.endpoints[i]!, timeoutMs)));
    const probe: EtcdProbe = { endpoints };
    const answering = clients.filter((_, i) => endpoints[i]!.ok);
    const first = answering[0];
    if (!first) {
      probe.membersError = 'no endpoint answered';
      probe.alarmsError = 'no endpoint answered';
      return probe;
    }
    const opts = () => ({ deadline: Date.now() + timeoutMs });
    try {
      const r = await within(first.cluster.memberList({ linearizable: false }, opts()), timeoutMs, 'member list');
      probe.members = r.members.map((m) => ({
        id: hex(m.ID),
        name: m.name,
        clientUrls: m.clientURLs ?? [],
        peerUrls: m.peerURLs ?? [],
        isLearner: m.isLearner === true,
      }));
    } catch (e) {
      probe.membersError = message(e);
    }
    try {
      const r = await within(first.maintenance.alarm({ action: 'Get', memberID: 0, alarm: 'None' }, opts()), timeoutMs, 'alarm list');
      probe.alarms = (r.alarms ?? []).map((a) => ({ memberId: hex(a.memberID), alarm: String(a.alarm) }));
    } catch (e) {
      probe.alarmsError = message(e);
    }
    return probe;
  } finally {
    for (const c of clients) c.close();
  }
}

// `tandem doctor`'s checks of an etcd store: members, leader, per-endpoint latency, database size
// against the quota, alarms, versions. Each reads one EtcdProbe (etcd-probe.ts), so the whole set
// costs one Status call per endpoint plus a member list and an alarm list. Thresholds follow etcd's
// own operating advice: a cluster of one member has no fault tolerance, a request over 100 ms is what
// etcd itself logs as slow, and writes stop (NOSPACE alarm) when the database reaches the
// backend quota (--quota-backend-bytes, 2 GiB unless set).
import { fail, ok, skip, warn, type CheckResult } from './doctor-types.js';
import type { EndpointStatus, EtcdProbe } from './etcd-probe.js';

/** etcd's default --quota-backend-bytes */
const ETCD_DEFAULT_QUOTA_BYTES = 2 * 1024 ** 3;
const SLOW_MS = 100;
const QUOTA_WARN = 0.8;

type Answered = Extract<EndpointStatus, { ok: true }>;
const answered = (p: EtcdProbe): Answered[] => p.endpoints.filter((e): e is Answered => e.ok);
const mib = (n: number) => (n < 1024 ** 2 ? `${(n / 1024).toFixed(0)} KiB` : `${(n / 1024 ** 2).toFixed(1)} MiB`);

function checkMembers(p: EtcdProbe): CheckResult {
  const id = 'etcd.members';
  const title = 'etcd members';
  if (!p.members) return fail(id, title, `the member list could not be read: ${p.membersError ?? 'unknown error'}`, 'see etcd.endpoints');
  const names = p.members.map((m) => `${m.name || '(not started)'} ${m.id}${m.isLearner ? ' (learner)' : ''} ${m.clientUrls.join(',')}`);
  const detail = `${p.members.length} member(s): ${names.join('; ')}`;
  const clusters = new Set(answered(p).map((e) => e.clusterId));
  if (clusters.size > 1)
    return fail(
      id,
      title,
      `${detail}; the endpoints belong to different clusters (cluster ids ${[...clusters].join(', ')})`,
      'list only the members of one etcd cluster in --store etcd://…; a member with a foreign cluster id was started with another --initial-cluster-token or data dir',
    );
  const unstarted = p.members.filter((m) => !m.name || m.clientUrls.length === 0);
  if (unstarted.length)
    return warn(
      id,
      title,
      `${detail}; ${unstarted.length} member(s) added but never started`,
      'start the added member with --initial-cluster-state=existing, or remove it: etcdctl member remove ID',
    );
  if (p.members.length === 1)
    return warn(
      id,
      title,
      `${detail}; one member has no fault tolerance: losing it stops the cluster`,
      'run 3 (or 5) members on separate machines: etcdctl member add NAME --peer-urls=…, then start it with --initial-cluster-state=existing',
    );
  if (p.members.length % 2 === 0)
    return warn(
      id,
      title,
      `${detail}; an even count tolerates no more failures than one member fewer`,
      'run an odd number of members (3 or 5)',
    );
  return ok(id, title, detail);
}

function checkEndpoints(p: EtcdProbe): CheckResult {
  const id = 'etcd.endpoints';
  const title = 'etcd endpoints answer quickly';
  const line = (e: EndpointStatus) => (e.ok ? `${e.endpoint} ${e.ms.toFixed(1)} ms` : `${e.endpoint} unreachable (${e.error})`);
  const detail = p.endpoints.map(line).join('; ');
  const up = answered(p);
  const down = p.endpoints.length - up.length;
  const members = p.members?.length ?? p.endpoints.length;
  if (up.length === 0)
    return fail(
      id,
      title,
      detail,
      'start etcd, or correct --store etcd://HOST:PORT,… (and --etcd-cafile/--etcd-certfile/--etcd-keyfile when it uses TLS)',
    );
  if (down > 0) {
    const quorum = Math.floor(members / 2) + 1;
    const lost = members - down < quorum;
    return (lost ? fail : warn)(
      id,
      title,
      `${detail}; ${down} of ${p.endpoints.length} endpoint(s) unreachable${lost ? `: fewer than a quorum (${quorum}) of ${members} members answer, writes stop` : ''}`,
      'restart the member that does not answer (its log tells why it stopped); if its disk is lost, remove it (etcdctl member remove ID) and add a new one',
    );
  }
  const slow = up.filter((e) => e.ms > SLOW_MS);
  if (slow.length)
    return warn(
      id,
      title,
      `${detail}; over ${SLOW_MS} ms`,
      'etcd needs a fast disk (fdatasync < 10 ms) and a quiet network: check the disk (etcd_disk_wal_fsync_duration_seconds) and the load on the member’s host',
    );
  return ok(id, title, detail);
}

function checkLeader(p: EtcdProbe): CheckResult {
  const id = 'etcd.leader';
  const title = 'etcd has one leader';
  const up = answered(p);
  if (up.length === 0) return skip(id, title, 'no endpoint answered');
  const leaders = new Set(up.map((e) => e.leader));
  const byId = new Map((p.members ?? []).map((m) => [m.id, m.name]));
  const name = (l: string) => (byId.get(l) ? `${byId.get(l)} (${l})` : l);
  if (leaders.has('0'))
    return fail(
      id,
      title,
      `no leader known to ${up
        .filter((e) => e.leader === '0')
        .map((e) => e.endpoint)
        .join(', ')}`,
      'a quorum of members must be up and reach each other on their peer URLs: start the stopped members, check the peer ports',
    );
  if (leaders.size > 1)
    return warn(
      id,
      title,
      `members name different leaders: ${[...leaders].map(name).join(', ')}`,
      'an election was under way: run doctor again; if it persists, check the peer network',
    );
  const terms = up.map((e) => e.raftTerm);
  return ok(id, title, `leader ${name([...leaders][0]!)}, raft term ${Math.max(...terms)}`);
}

function checkDbSize(p: EtcdProbe, quotaBytes: number): CheckResult {
  const id = 'etcd.db-size';
  const title = 'etcd database size is under the quota';
  const up = answered(p);
  if (up.length === 0) return skip(id, title, 'no endpoint answered');
  const big = up.reduce((a, b) => (b.dbSize > a.dbSize ? b : a));
  const share = big.dbSize / quotaBytes;
  const detail = `largest ${mib(big.dbSize)} (${mib(big.dbSizeInUse)} in use) on ${big.endpoint}: ${(share * 100).toFixed(1)}% of the ${mib(quotaBytes)} quota`;
  const fix =
    big.dbSizeInUse < big.dbSize * 0.5
      ? 'most of the file is free pages: defragment one member at a time (etcdctl defrag --endpoints=…)'
      : 'compact and defragment (etcdctl compact REV; etcdctl defrag), delete what the cluster no longer needs, or raise --quota-backend-bytes on every member (at most 8 GiB is advised)';
  if (share >= 1) return fail(id, title, detail, fix);
  if (share >= QUOTA_WARN) return warn(id, title, `${detail} (warns from ${QUOTA_WARN * 100}%)`, fix);
  return ok(id, title, detail);
}

function checkAlarms(p: EtcdProbe): CheckResult {
  const id = 'etcd.alarms';
  const title = 'etcd has no alarm raised';
  if (!p.alarms) return skip(id, title, `the alarms could not be read: ${p.alarmsError ?? 'unknown error'}`);
  if (p.alarms.length === 0) return ok(id, title, 'none');
  const detail = p.alarms.map((a) => `${a.alarm} on member ${a.memberId}`).join('; ');
  if (p.alarms.some((a) => a.alarm === 'Corrupt'))
    return fail(
      id,
      title,
      `${detail}: a member's data differs from the others'`,
      'stop the corrupt member, remove it (etcdctl member remove ID), wipe its data dir and add it back as a new member; restore from a snapshot if the whole cluster is affected',
    );
  return fail(
    id,
    title,
    `${detail}: the database reached its quota and etcd refuses writes`,
    'free space (etcdctl compact REV; etcdctl defrag on every member) or raise --quota-backend-bytes, then clear the alarm: etcdctl alarm disarm',
  );
}

function checkVersions(p: EtcdProbe): CheckResult {
  const id = 'etcd.versions';
  const title = 'etcd members run the same version';
  const up = answered(p);
  if (up.length === 0) return skip(id, title, 'no endpoint answered');
  const versions = new Set(up.map((e) => e.version));
  const detail = up.map((e) => `${e.endpoint} ${e.version}`).join('; ');
  if (versions.size > 1)
    return warn(
      id,
      title,
      detail,
      'finish the rolling upgrade: upgrade the remaining members one at a time (mixed versions are for upgrades only)',
    );
  return ok(id, title, `etcd ${[...versions][0]!}`);
}

/** The etcd checks in the order doctor prints them. */
export function etcdChecks(p: EtcdProbe, o: { quotaBytes?: number } = {}): CheckResult[] {
  return [
    checkEndpoints(p),
    checkMembers(p),
    checkLeader(p),
    checkDbSize(p, o.quotaBytes ?? ETCD_DEFAULT_QUOTA_BYTES),
    checkAlarms(p),
    checkVersions(p),
  ];
}

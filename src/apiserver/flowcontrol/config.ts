// The built-in API Priority and Fairness configuration: priority levels with their concurrency shares
// and queues, and the flow schemas that send each request to one of them. Levels, shares, queue
// shapes and the schemas' order follow upstream's bootstrap objects (the mandatory `exempt` and
// `catch-all`, and the suggested ones); they are fixed here, not served as API kinds.

import { createHash } from 'node:crypto';
import type { UserInfo } from '../auth/user.js';
import type { RequestInfo } from '../http/request-info.js';

export interface PriorityLevel {
  readonly name: string;
  readonly uid: string;
  /** exempt requests never wait and hold no seat */
  readonly exempt: boolean;
  /** nominal concurrency shares: the level's part of the server's seats */
  readonly shares: number;
  /** 0: requests beyond the seats are rejected at once (upstream's `Reject` limit response) */
  readonly queues: number;
  readonly handSize: number;
  readonly queueLengthLimit: number;
}

/** What a request is classified by. */
export interface RequestDigest {
  user: UserInfo;
  /** the request's path without the query */
  path: string;
  info: RequestInfo | null;
}

interface FlowSchema {
  readonly name: string;
  readonly uid: string;
  readonly precedence: number;
  readonly level: string;
  /** `user`: one flow per user (ByUser); `namespace`: per namespace; none: one flow for the schema */
  readonly distinguisher?: 'user' | 'namespace';
  matches(r: RequestDigest): boolean;
}

/** Stable UIDs, so the response headers name the same object across restarts. */
function uidOf(kind: string, name: string): string {
  const h = createHash('sha1').update(`tandem/flowcontrol/${kind}/${name}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const level = (name: string, shares: number, queues = 0, handSize = 0, queueLengthLimit = 0, exempt = false): PriorityLevel => ({
  name,
  uid: uidOf('prioritylevelconfigurations', name),
  exempt,
  shares,
  queues,
  handSize,
  queueLengthLimit,
});

/** Upstream's bootstrap levels: shares, queues, hand size, queue length limit. */
export const PRIORITY_LEVELS: readonly PriorityLevel[] = [
  level('exempt', 0, 0, 0, 0, true),
  level('system', 30, 64, 6, 50),
  level('node-high', 40, 64, 6, 50),
  level('leader-election', 10, 16, 4, 50),
  level('workload-high', 40, 128, 6, 50),
  level('workload-low', 100, 128, 6, 50),
  level('global-default', 20, 128, 6, 50),
  level('catch-all', 5),
];

const PROBE_PATHS = ['/healthz', '/livez', '/readyz'];
const isProbe = (path: string) => PROBE_PATHS.some((p) => path === p || path.startsWith(`${p}/`));
const inGroup = (u: UserInfo, g: string) => u.groups.includes(g);
const KUBE_SYSTEM_SA = 'system:serviceaccount:kube-system:';
const resourceOf = (r: RequestDigest) => (r.info?.kind === 'resource' ? r.info : undefined);

function onResources(r: RequestDigest, wanted: ReadonlyArray<readonly [group: string, resource: string]>, verbs?: readonly string[]) {
  const info = resourceOf(r);
  if (!info) return false;
  if (verbs && !verbs.includes(info.verb)) return false;
  return wanted.some(([g, res]) => g === info.group && res === info.resource);
}

const LEADER_VERBS = ['get', 'create', 'update'];
const LEADER_OBJECTS = [['coordination.k8s.io', 'leases'] as const];
const LEADER_KUBE_SYSTEM = [['', 'endpoints'] as const, ['', 'configmaps'] as const];
const leaderElection = (r: RequestDigest) =>
  onResources(r, LEADER_OBJECTS, LEADER_VERBS) ||
  (resourceOf(r)?.namespace === 'kube-system' && onResources(r, LEADER_KUBE_SYSTEM, LEADER_VERBS));

const schema = (
  name: string,
  precedence: number,
  levelName: string,
  distinguisher: FlowSchema['distinguisher'],
  matches: (r: RequestDigest) => boolean,
): FlowSchema => ({
  name,
  uid: uidOf('flowschemas', name),
  precedence,
  level: levelName,
  ...(distinguisher ? { distinguisher } : {}),
  matches,
});

const isComponent = (u: UserInfo) => u.name === 'system:kube-controller-manager' || u.name === 'system:kube-scheduler';

/** Upstream's bootstrap flow schemas, by matching precedence (lowest first). */
const FLOW_SCHEMAS: readonly FlowSchema[] = [
  schema('exempt', 1, 'exempt', undefined, (r) => inGroup(r.user, 'system:masters')),
  // health checks of everyone, authenticated or not, never wait
  schema('probes', 2, 'exempt', undefined, (r) => resourceOf(r) === undefined && isProbe(r.path)),
  schema('system-leader-election', 100, 'leader-election', 'user', (r) => isComponent(r.user) && leaderElection(r)),
  schema(
    'endpoint-controller',
    150,
    'workload-high',
    'user',
    (r) =>
      (r.user.name === 'system:kube-controller-manager' || r.user.name === `${KUBE_SYSTEM_SA}endpoint-controller`) &&
      onResources(r, [
        ['', 'endpoints'],
        ['discovery.k8s.io', 'endpointslices'],
      ]),
  ),
  schema('workload-leader-election', 200, 'leader-election', 'user', (r) => r.user.name.startsWith(KUBE_SYSTEM_SA) && leaderElection(r)),
  schema(
    'system-node-high',
    400,
    'node-high',
    'user',
    (r) =>
      inGroup(r.user, 'system:nodes') &&
      onResources(r, [
        ['', 'nodes'],
        ['coordination.k8s.io', 'leases'],
      ]),
  ),
  schema('system-nodes', 500, 'system', 'user', (r) => inGroup(r.user, 'system:nodes')),
  schema('kube-controller-manager', 800, 'workload-high', 'namespace', (r) => r.user.name === 'system:kube-controller-manager'),
  schema('kube-scheduler', 800, 'workload-high', 'namespace', (r) => r.user.name === 'system:kube-scheduler'),
  schema('kube-system-service-accounts', 900, 'workload-high', 'namespace', (r) => r.user.name.startsWith(KUBE_SYSTEM_SA)),
  schema('service-accounts', 9000, 'workload-low', 'user', (r) => inGroup(r.user, 'system:serviceaccounts')),
  schema(
    'global-default',
    9900,
    'global-default',
    'user',
    (r) => inGroup(r.user, 'system:authenticated') || inGroup(r.user, 'system:unauthenticated'),
  ),
  schema('catch-all', 10000, 'catch-all', 'user', () => true),
];

export interface Classification {
  schema: FlowSchema;
  level: PriorityLevel;
  /** the flow: schema name plus the distinguisher's value */
  flow: string;
}

const LEVELS = new Map(PRIORITY_LEVELS.map((l) => [l.name, l]));

/** The first matching flow schema (the list is in precedence order; catch-all matches everything). */
export function classify(r: RequestDigest): Classification {
  for (const s of FLOW_SCHEMAS) {
    if (!s.matches(r)) continue;
    const lv = LEVELS.get(s.level)!;
    const info = resourceOf(r);
    const dist = s.distinguisher === 'user' ? r.user.name : s.distinguisher === 'namespace' ? (info?.namespace ?? '') : '';
    return { schema: s, level: lv, flow: `${s.name}/${dist}` };
  }
  /* c8 ignore next */
  throw new Error('the catch-all flow schema matches every request');
}

/**
 * Each limited level's seats: ceil(total × shares / sum of shares), as upstream's nominal concurrency
 * limit. `total` is the server's concurrency limit (--max-requests-inflight + --max-mutating-requests-inflight).
 */
export function seatsOf(total: number): Map<string, number> {
  const limited = PRIORITY_LEVELS.filter((l) => !l.exempt);
  const sum = limited.reduce((a, l) => a + l.shares, 0);
  return new Map(limited.map((l) => [l.name, Math.max(1, Math.ceil((total * l.shares) / sum))]));
}

// Options of a simulated fleet and their defaults.

import type { Taint } from '../../api/gen/types.js';
import { badRequest } from '../../base/errors.js';
import { realClock, type Clock } from '../../base/clock.js';
import { nullLogger, type Logger } from '../../base/log.js';
import type { RestClient } from '../../client/rest-client.js';
import type { InformerFactory } from '../../client/informer-factory.js';
import { blockCount, parseCidr } from './cidr.js';
import { KUBELET_VERSION, majorMinorBuild } from '../node/node-object.js';
import { SIM_RUNTIMES, type SimOs, type SimRuntime } from './node-object.js';
import type { Stage, StageTimings } from './stages.js';

interface SimStagesOptions extends StageTimings {
  /** replaces the whole default stage table */
  table?: Stage[];
}

export interface SimFleetOptions {
  client: RestClient;
  /** shared informers; the fleet creates (and stops) its own when absent */
  informers?: InformerFactory;
  nodes: number;
  os: SimOs;
  /** windows only (default 10.0.20348) */
  windowsBuild?: string;
  /**
   * default `sim-linux-` / `sim-windows-`. Nodes that exist under these names are taken over; with
   * the default prefix, not while another running sim holds them (see holder.ts).
   */
  namePrefix?: string;
  arch?: string;
  cpu?: string;
  memory?: string;
  pods?: number;
  ephemeralStorage?: string;
  /** spread nodes over topology.kubernetes.io/zone = zone-0 .. zone-(k-1) */
  zones?: number;
  labels?: Record<string, string>;
  taints?: Taint[];
  /** windows: also advertise the runhcs-wcow-hypervisor handler */
  hyperV?: boolean;
  /** `process`: nodes that run native processes only and advertise only the `process` handler */
  runtime?: SimRuntime;
  /** range split into one /24 per node (default 10.128.0.0/10, 16,384 nodes) */
  podCidrBase?: string;
  stages?: SimStagesOptions;
  /** lease renewal period per node (default 10,000 ms) */
  leaseRenewMs?: number;
  leaseDurationSeconds?: number;
  /** full node status rewrite period (default 300,000 ms) */
  statusRefreshMs?: number;
  /** heartbeat wheel tick (default 100 ms) */
  tickMs?: number;
  /** concurrent registrations (default 32), pod writes (default 64), lease and node status writes (default 32) */
  registerConcurrency?: number;
  podConcurrency?: number;
  heartbeatConcurrency?: number;
  kubeletVersion?: string;
  clock?: Clock;
  log?: Logger;
}

export type ResolvedSimOptions = Required<Omit<SimFleetOptions, 'informers' | 'windowsBuild' | 'stages'>> & {
  informers?: InformerFactory;
  windowsBuild?: string;
  stages: SimStagesOptions;
  /** no namePrefix was given: refuse nodes that a running sim holds */
  defaultNamePrefix: boolean;
};

const DEFAULT_WINDOWS_BUILD = '10.0.20348';
const NAME_RE = /^[a-z0-9]([-a-z0-9.]*[a-z0-9-])?$/;

export function resolveSimOptions(o: SimFleetOptions): ResolvedSimOptions {
  if (!Number.isInteger(o.nodes) || o.nodes < 0) throw badRequest(`nodes: must be a non-negative integer (got ${String(o.nodes)})`);
  if (o.os !== 'linux' && o.os !== 'windows') throw badRequest(`os: must be linux or windows (got ${JSON.stringify(o.os)})`);
  let windowsBuild: string | undefined;
  if (o.os === 'windows') {
    windowsBuild = majorMinorBuild(o.windowsBuild ?? DEFAULT_WINDOWS_BUILD);
    if (!windowsBuild)
      throw badRequest(`windows-build: must be major.minor.build such as 10.0.20348 (got ${JSON.stringify(o.windowsBuild)})`);
  }
  const namePrefix = o.namePrefix ?? `sim-${o.os}-`;
  if (!NAME_RE.test(`${namePrefix}0`)) throw badRequest(`name-prefix: ${JSON.stringify(namePrefix)} does not give valid node names`);
  const podCidrBase = o.podCidrBase ?? '10.128.0.0/10';
  if (blockCount(parseCidr(podCidrBase)) < o.nodes)
    throw badRequest(`pod-cidr-base: ${podCidrBase} holds fewer than ${o.nodes} /24 blocks`);
  const runtime = o.runtime ?? 'containerd';
  if (!SIM_RUNTIMES.includes(runtime)) throw badRequest(`runtime: must be ${SIM_RUNTIMES.join(' or ')} (got ${JSON.stringify(o.runtime)})`);
  if (runtime === 'process' && o.hyperV) throw badRequest('hyperv: Hyper-V isolation needs a container runtime, not --runtime process');
  const zones = o.zones ?? 0;
  if (!Number.isInteger(zones) || zones < 0) throw badRequest('zones: must be a non-negative integer');
  const r: ResolvedSimOptions = {
    client: o.client,
    nodes: o.nodes,
    os: o.os,
    namePrefix,
    arch: o.arch ?? 'amd64',
    cpu: o.cpu ?? '8',
    memory: o.memory ?? '32Gi',
    pods: o.pods ?? 110,
    ephemeralStorage: o.ephemeralStorage ?? '100Gi',
    zones,
    labels: o.labels ?? {},
    taints: o.taints ?? [],
    hyperV: o.hyperV ?? false,
    runtime,
    podCidrBase,
    stages: o.stages ?? {},
    defaultNamePrefix: o.namePrefix === undefined,
    leaseRenewMs: o.leaseRenewMs ?? 10_000,
    leaseDurationSeconds: o.leaseDurationSeconds ?? 40,
    statusRefreshMs: o.statusRefreshMs ?? 300_000,
    tickMs: o.tickMs ?? 100,
    registerConcurrency: o.registerConcurrency ?? 32,
    podConcurrency: o.podConcurrency ?? 64,
    heartbeatConcurrency: o.heartbeatConcurrency ?? 32,
    kubeletVersion: o.kubeletVersion ?? KUBELET_VERSION,
    clock: o.clock ?? realClock,
    log: o.log ?? nullLogger,
  };
  if (o.informers) r.informers = o.informers;
  if (windowsBuild) r.windowsBuild = windowsBuild;
  return r;
}

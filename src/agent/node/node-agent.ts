// Registers the Node (create, or update labels, spec and status of an existing one), keeps its
// status fresh and renews the node Lease in kube-node-lease every 10 s. As upstream's kubelet with
// node leases: the status is computed every 10 s (nodeStatusUpdateFrequency) but written only when
// it changed or 5 min after the last write (nodeStatusReportFrequency; after a change, plus a one-time
// random offset in [-1/2, +1/2] of it, as the kubelet does); the Lease is the heartbeat.
// The Lease is renewed from the version last written (one PUT per renewal), read again only after
// a conflict or when it is gone, as upstream's lease controller does.

import type { Node, NodeCondition, NodeStatus, Taint } from '../../api/gen/types.js';
import { StatusError } from '../../base/errors.js';
import type { Clock } from '../../base/clock.js';
import type { Logger } from '../../base/log.js';
import type { RestClient } from '../../client/rest-client.js';
import type { Platform } from '../platform/common/platform.js';
import type { Runtime } from '../runtime/runtime.js';
import { capacityOf } from './capacity.js';
import { nodeConditions, stampNodeConditions } from './node-conditions.js';
import { buildNodeLease, nodeLeases } from './node-lease.js';
import { buildNode, KUBELET_VERSION, nodeLabels, nodeStatus } from './node-object.js';
import { nodeKind } from '../../api/kinds/core/node.js';

export interface NodeAgentOptions {
  client: RestClient;
  runtime: Runtime;
  platform: Platform;
  clock: Clock;
  nodeName: string;
  podCidr?: string;
  labels?: Record<string, string>;
  taints?: Taint[];
  kubeletPort: number;
  log: Logger;
  /** how often the status is computed and compared (default 10 s, upstream's nodeStatusUpdateFrequency) */
  statusCheckMs?: number;
  /** an unchanged status is written again after this long (default 5 min, upstream's nodeStatusReportFrequency) */
  statusForceMs?: number;
  leaseRenewMs?: number;
  leaseDurationSeconds?: number;
}

export interface NodeAgent {
  register(): Promise<void>;
  start(): void;
  stop(): void;
  /** Checks and writes the status now if it changed (or `force`). */
  syncStatus(force?: boolean): Promise<boolean>;
  renewLease(): Promise<void>;
  readonly uid: string | undefined;
  /** The Node as last written or read (labels, taints, allocatable: what pod admission reads). */
  current(): Node | undefined;
  /** Reads the Node again (its labels may have just changed). */
  refresh(): Promise<Node>;
  stats(): { statusWrites: number; leaseRenewals: number };
}

const STATUS_REPORT_MS = 5 * 60_000;

export function createNodeAgent(o: NodeAgentOptions): NodeAgent {
  let uid: string | undefined;
  let current: Node | undefined;
  let lastJson = '';
  /** when an unchanged status is written again */
  let reportDue = -Infinity;
  let lastConditions: NodeCondition[] | undefined;
  /** resourceVersion of the Lease this agent last wrote */
  let leaseRv: string | undefined;
  let statusWrites = 0,
    leaseRenewals = 0;
  const cancels: Array<() => void> = [];
  let stopped = false;
  const nodes = o.client.resource(nodeKind);
  const leases = nodeLeases(o.client);

  /** The status without times (for change detection). */
  async function currentStatus(): Promise<NodeStatus> {
    const [host, version, runtimeConditions, handlers, pressure] = await Promise.all([
      o.platform.hostInfo(),
      o.runtime.version(),
      o.runtime.status().catch(() => []),
      o.runtime.runtimeHandlers().catch(() => []),
      o.platform.pressure(),
    ]);
    return nodeStatus({
      host,
      ...capacityOf(host),
      conditions: nodeConditions(runtimeConditions, pressure),
      containerRuntimeVersion: `${version.runtimeName}://${version.runtimeVersion}`,
      kubeletVersion: KUBELET_VERSION,
      kubeProxyVersion: '',
      kubeletPort: o.kubeletPort,
      handlers,
    });
  }

  async function syncStatus(force = false): Promise<boolean> {
    const status = await currentStatus();
    const json = JSON.stringify(status);
    const changed = json !== lastJson;
    if (!force && !changed && o.clock.now() < reportDue) return false;
    const conditions = stampNodeConditions(status.conditions ?? [], lastConditions, o.clock.now());
    current = await nodes.patchStatus(o.nodeName, { status: { ...status, conditions } });
    const every = o.statusForceMs ?? STATUS_REPORT_MS;
    reportDue = o.clock.now() + (changed ? Math.floor(every * (0.5 + Math.random())) : every);
    lastJson = json;
    lastConditions = conditions;
    statusWrites++;
    return true;
  }

  async function register(): Promise<void> {
    const host = await o.platform.hostInfo();
    const labels = nodeLabels(o.nodeName, host, o.labels);
    let node: Node;
    try {
      node = await nodes.create(buildNode({ name: o.nodeName, host, labels: o.labels, podCidr: o.podCidr, taints: o.taints }));
      o.log.info(`node ${o.nodeName} registered`);
    } catch (e) {
      if (!(e instanceof StatusError && e.code === 409)) throw e;
      const patch: Record<string, unknown> = { metadata: { labels } };
      // podCIDR cannot change once set; only fill it in
      const cur = await nodes.get(o.nodeName);
      if (o.podCidr && !cur.spec?.podCIDR) patch['spec'] = { podCIDR: o.podCidr, podCIDRs: [o.podCidr] };
      node = await nodes.patch(o.nodeName, patch);
      o.log.info(`node ${o.nodeName} already registered; labels updated`);
    }
    uid = node.metadata.uid;
    current = node;
    await syncStatus(true);
    await renewLease();
  }

  async function renewLease(): Promise<void> {
    const body = (rv?: string) => buildNodeLease(o.nodeName, uid, o.clock.now(), o.leaseDurationSeconds ?? 40, rv);
    for (let attempt = 0; ; attempt++) {
      try {
        const res = leaseRv ? await leases.update(body(leaseRv)) : await leases.create(body());
        leaseRv = res.metadata.resourceVersion;
        leaseRenewals++;
        return;
      } catch (e) {
        const code = e instanceof StatusError ? e.code : 0;
        if (attempt >= 2 || (code !== 409 && code !== 404)) {
          leaseRv = undefined;
          throw e;
        }
        // someone else wrote it (409) or it is gone (404): start again from what the server has
        leaseRv = code === 404 ? undefined : (await leases.getOrUndefined(o.nodeName))?.metadata.resourceVersion;
      }
    }
  }

  function every(ms: number, fn: () => Promise<unknown>, what: string): void {
    const tick = () => {
      if (stopped) return;
      void fn()
        .catch((e: unknown) => o.log.warn(`${what} update failed`, { node: o.nodeName, error: e }))
        .finally(() => {
          if (!stopped) cancels.push(o.clock.schedule(tick, ms));
        });
    };
    cancels.push(o.clock.schedule(tick, ms));
  }

  return {
    register,
    syncStatus,
    renewLease,
    get uid() {
      return uid;
    },
    current: () => current,
    async refresh() {
      current = await nodes.get(o.nodeName);
      return current;
    },
    start() {
      every(o.statusCheckMs ?? 10_000, () => syncStatus(false), 'status');
      every(o.leaseRenewMs ?? 10_000, renewLease, 'lease');
    },
    stop() {
      stopped = true;
      for (const c of cancels.splice(0)) c();
    },
    stats: () => ({ statusWrites, leaseRenewals }),
  };
}

export interface PodCidrWaitOptions {
  client: RestClient;
  platform: Platform;
  nodeName: string;
  labels?: Record<string, string>;
  taints?: Taint[];
  log: Logger;
  clock: Clock;
  /** give up after this long (default 60 s) */
  timeoutMs?: number;
  pollMs?: number;
}

/**
 * For an agent started without --pod-cidr: creates the Node (without status: the runtime that
 * reports it needs the pod range first) when it does not exist, then waits for the node IPAM
 * controller to write spec.podCIDR, and returns it. Bounded: a cluster without the controller
 * gets an error that says what to do instead of a node that hangs.
 */
export async function waitForPodCidr(o: PodCidrWaitOptions): Promise<string> {
  const nodes = o.client.resource(nodeKind);
  const timeoutMs = o.timeoutMs ?? 60_000;
  let node = await nodes.getOrUndefined(o.nodeName);
  if (!node) {
    const host = await o.platform.hostInfo();
    try {
      node = await nodes.create(buildNode({ name: o.nodeName, host, labels: o.labels, taints: o.taints }));
      o.log.info(`node ${o.nodeName} registered without a pod range`);
    } catch (e) {
      if (!(e instanceof StatusError && e.code === 409)) throw e;
      node = await nodes.get(o.nodeName);
    }
  }
  const started = o.clock.now();
  let told = false;
  for (;;) {
    const cidr = node.spec?.podCIDRs?.[0] || node.spec?.podCIDR;
    if (cidr) {
      if (told) o.log.info(`node ${o.nodeName} was given the pod range ${cidr}`);
      return cidr;
    }
    if (!told) {
      o.log.info(
        `waiting up to ${Math.round(timeoutMs / 1000)} s for the control plane's node IPAM controller to give node ${o.nodeName} a pod range (spec.podCIDR); --pod-cidr sets one by hand`,
      );
      told = true;
    }
    if (o.clock.now() - started >= timeoutMs) {
      throw new Error(
        `node ${o.nodeName} got no pod range (spec.podCIDR) within ${Math.round(timeoutMs / 1000)} s: ` +
          'the server must run the nodeipam controller (tandem server runs it unless --controllers leaves it out), or start the agent with --pod-cidr',
      );
    }
    await new Promise<void>((r) => o.clock.schedule(r, o.pollMs ?? 500));
    node = await nodes.get(o.nodeName);
  }
}

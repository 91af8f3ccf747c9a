// What `tandem down` removes, decided from what exists, without touching the host: the planning half
// of down (run-down.ts reads the host and carries the steps out). A host resource is this data dir's
// only when its name says so (host-names.ts: the bridge and both nftables tables end in the data
// dir's hash), it lies below the data dir (mounts), or its command line names the agent's data dir
// (containerd, its shims, the process runtime's shims). The pod network's marked routes and tunnel
// device are shared by every Tandem on the host, so they go only when no other Tandem's pod network
// table is left. Fixed-name tables of older Tandems go too: no current node makes them.

import { isAbsolute, sep } from 'node:path';
import type { HostResourceNames } from '../../agent/platform/linux/index.js';

export interface LinuxRemoveFacts {
  names: HostResourceNames;
  /** absolute agent data dir (DATA/agent) and the data dir's real path (mounts are reported by real path) */
  agentDir: string;
  dataDirReal: string;
  links: readonly string[];
  /** nft tables of family ip */
  tables: readonly string[];
  /** destinations of the pod network's proto 116 routes */
  podnetRoutes: readonly string[];
  mounts: readonly string[];
  processes: ReadonlyArray<{ pid: number; comm: string; cmdline: string }>;
  /** this process and its ancestors: never killed */
  protectedPids: ReadonlySet<number>;
  legacyTables: readonly string[];
  vxlanDevice: string;
  isPodnetTable: (name: string) => boolean;
}

export type RemoveAction =
  | { kind: 'kill'; pids: number[] }
  | { kind: 'unmount'; paths: string[] }
  | { kind: 'delete-link'; name: string }
  | { kind: 'delete-table'; name: string }
  | { kind: 'delete-routes'; dsts: string[] };

interface PlannedStep<A> {
  /** the progress line, e.g. "deleting bridge tdm1a2b3c4d" */
  title: string;
  action: A;
}

export interface RemovePlan {
  steps: PlannedStep<RemoveAction>[];
  /** what is left in place on purpose, and why */
  kept: string[];
}

/** True when `cmdline` names `dir` as a whole path (`/d/agent` must not match `/d/agent2`). */
export function mentionsDir(cmdline: string, dir: string): boolean {
  let at = cmdline.indexOf(dir);
  while (at >= 0) {
    const next = cmdline[at + dir.length];
    if (next === undefined || next === sep || next === ' ' || next === '"' || next === "'") return true;
    at = cmdline.indexOf(dir, at + 1);
  }
  return false;
}

/** Mount points at or below `root`, deepest first (a mount inside another goes first). */
export function mountsBelow(mounts: readonly string[], root: string): string[] {
  const r = root.replace(/\/+$/, '');
  return [...new Set(mounts.filter((m) => m === r || m.startsWith(`${r}/`)))].sort((a, b) => b.length - a.length || a.localeCompare(b));
}

export function planLinuxRemoval(f: LinuxRemoveFacts): RemovePlan {
  const steps: PlannedStep<RemoveAction>[] = [];
  const kept: string[] = [];
  const pids = f.processes.filter((p) => !f.protectedPids.has(p.pid) && mentionsDir(p.cmdline, f.agentDir));
  if (pids.length)
    steps.push({
      title: `stopping ${pids.length} process(es) of ${f.agentDir} (${[...new Set(pids.map((p) => p.comm))].join(', ')})`,
      action: { kind: 'kill', pids: pids.map((p) => p.pid) },
    });
  const mounts = mountsBelow(f.mounts, f.dataDirReal);
  if (mounts.length)
    steps.push({ title: `unmounting ${mounts.length} mount(s) below ${f.dataDirReal}`, action: { kind: 'unmount', paths: mounts } });
  if (f.links.includes(f.names.bridge))
    steps.push({ title: `deleting bridge ${f.names.bridge}`, action: { kind: 'delete-link', name: f.names.bridge } });
  for (const t of [f.names.proxyTable, f.names.podnetTable])
    if (f.tables.includes(t)) steps.push({ title: `deleting nftables table ip ${t}`, action: { kind: 'delete-table', name: t } });
  for (const t of f.legacyTables)
    if (f.tables.includes(t))
      steps.push({ title: `deleting nftables table ip ${t} (fixed name of an older Tandem)`, action: { kind: 'delete-table', name: t } });
  const others = f.tables.filter((t) => f.isPodnetTable(t) && t !== f.names.podnetTable && !f.legacyTables.includes(t));
  const shared = f.podnetRoutes.length > 0 || f.links.includes(f.vxlanDevice);
  if (shared && others.length) {
    kept.push(`the pod network's routes and ${f.vxlanDevice} are shared with another Tandem on this host (table ip ${others.join(', ')})`);
  } else {
    if (f.podnetRoutes.length)
      steps.push({
        title: `deleting ${f.podnetRoutes.length} pod network route(s) (proto 116)`,
        action: { kind: 'delete-routes', dsts: [...f.podnetRoutes] },
      });
    if (f.links.includes(f.vxlanDevice))
      steps.push({ title: `deleting tunnel device ${f.vxlanDevice}`, action: { kind: 'delete-link', name: f.vxlanDevice } });
  }
  if (f.links.includes(USERSPACE_DEVICE))
    kept.push(
      `${USERSPACE_DEVICE} (the userspace proxy's cluster IPs) is not named per data dir: \`ip link del ${USERSPACE_DEVICE}\` once no Tandem runs here`,
    );
  return { steps, kept };
}

/** The userspace proxy's dummy device (src/network/proxy/userspace/linux-addresses.ts): one name for every Tandem. */
const USERSPACE_DEVICE = 'tandem-svc0';

/** Files a data dir of Tandem holds; a directory with none of them (and not empty) is not purged. */
const MARKERS = ['state.db', 'kubeconfig', 'agent', 'pki', 'state.db.lock'];

/** Why `--purge` must not delete `dir`, or undefined when it may (an absolute Tandem data dir, not / or the home). */
export function purgeRefusal(dir: string, entries: readonly string[] | undefined, home: string): string | undefined {
  if (!isAbsolute(dir)) return `${dir} is not an absolute path`;
  const norm = dir.replace(/[\\/]+$/, '');
  if (norm === '' || /^[A-Za-z]:$/.test(norm)) return `${dir} is a file system root`;
  if (norm === home.replace(/[\\/]+$/, '')) return `${dir} is the home directory`;
  if (entries === undefined || entries.length === 0) return undefined;
  if (!entries.some((e) => MARKERS.includes(e)))
    return `${dir} does not look like a Tandem data dir (none of ${MARKERS.join(', ')} in it): remove it by hand if it is one`;
  return undefined;
}

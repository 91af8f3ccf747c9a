// Who runs a simulated node. A fleet writes its holder (host, pid, run id) into an annotation of
// each node it registers, so that a sim with the default name prefix can tell the nodes of a sim
// that still runs (refused: two sims would fight over them) from those of a stopped one (taken
// over, as a restarted sim should). "Runs" means the node's Lease is still fresh and, on this host,
// that the holder process (or, in this process, the fleet) is alive: a sim killed a second ago
// frees its nodes at once on its own host, and within one Lease duration everywhere else.

import { hostname } from 'node:os';
import type { Lease, Node } from '../../api/gen/types.js';

export const ANNOTATION_SIM_HOLDER = 'tandem.io/sim-holder';

export interface SimHolder {
  host: string;
  pid: number;
  /** one per fleet start (the fleet's boot seed) */
  run: string;
}

/** Runs of the fleets started and not stopped in this process. */
const liveRuns = new Set<string>();

export function holderFor(run: string): SimHolder {
  return { host: hostname(), pid: process.pid, run };
}

export const formatHolder = (h: SimHolder): string => `${h.host}/${h.pid}/${h.run}`;

export function parseHolder(v: string | undefined): SimHolder | undefined {
  const m = /^(.*)\/(\d+)\/([^/]+)$/.exec(v ?? '');
  return m ? { host: m[1] ?? '', pid: Number(m[2]), run: m[3] ?? '' } : undefined;
}

export function markRunning(run: string, running: boolean): void {
  if (running) liveRuns.add(run);
  else liveRuns.delete(run);
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists, under another user
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whether the node's annotation names a holder other than `me` (live or not). */
export function foreignHolder(node: Node, me: SimHolder): SimHolder | undefined {
  const h = parseHolder(node.metadata.annotations?.[ANNOTATION_SIM_HOLDER]);
  return h && h.run !== me.run ? h : undefined;
}

/** Who holds `node` while running, said for an error message; undefined when the node may be taken over. */
export function liveHolder(node: Node, lease: Lease | undefined, me: SimHolder, nowMs: number): string | undefined {
  const h = foreignHolder(node, me);
  if (!h) return undefined;
  const renewed = Date.parse(lease?.spec?.renewTime ?? '');
  const durationMs = (lease?.spec?.leaseDurationSeconds ?? 0) * 1000;
  if (!Number.isFinite(renewed) || renewed + durationMs <= nowMs) return undefined;
  const here = h.host === me.host;
  if (here && (h.pid === me.pid ? !liveRuns.has(h.run) : !pidAlive(h.pid))) return undefined;
  const who = here && h.pid === me.pid ? 'another sim fleet in this process' : `tandem sim pid ${h.pid} on ${here ? 'this host' : h.host}`;
  return `${who}, whose Lease was renewed ${Math.max(0, Math.round((nowMs - renewed) / 1000))} s ago`;
}

/** Thrown when the default names are held by a running sim: not retried, the fleet does not start. */
export class SimNamesTaken extends Error {
  constructor(node: string, holder: string, prefix: string) {
    super(
      `node ${node} belongs to a running sim (${holder}): two sims with the default name prefix ${prefix} would take ` +
        "over each other's nodes; give this one its own --name-prefix (or stop the other)",
    );
    this.name = 'SimNamesTaken';
  }
}

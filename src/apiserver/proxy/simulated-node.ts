// Streams of pods on simulated nodes (`tandem sim`, label tandem.io/simulated): no agent answers
// there and no process runs. exec, attach and port-forward get a 400 saying so (rather than a
// connection attempt to an address nobody serves); logs get a simulated log made from the pod's
// status (when each container started and how it ended), with kubectl's options, and `-f` follows
// the pod until the container has terminated.

import type { ServerResponse } from 'node:http';
import type { AnyObject } from '../../api/object.js';
import { parsePodLogOptions, type PodLogOptions } from '../../api/kinds/core/pod/log-options.js';
import { LABEL_SIMULATED } from '../../api/well-known.js';
import { badRequest, type StatusError } from '../../base/errors.js';
import type { StorageEvent } from '../../storage/backend.js';
import type { ApiContext, RequestScope } from '../handlers/context.js';
import { objectOf } from '../registry/resource-store.js';

type Rec = Record<string, unknown>;

/** Whether the Node exists and is a simulated one. */
export async function isSimulatedNode(ctx: ApiContext, nodeName: string): Promise<boolean> {
  const kind = ctx.kindFor('', 'v1', 'nodes');
  const kv = kind ? await ctx.store(kind).getKv(undefined, nodeName) : undefined;
  return kv !== undefined && objectOf(kv).metadata.labels?.[LABEL_SIMULATED] === 'true';
}

const NOTHING: Record<'exec' | 'attach' | 'portforward', string> = {
  exec: 'there is no container to exec into',
  attach: 'there is no container to attach to',
  portforward: 'there is no process listening to forward ports to',
};

/** The answer to exec, attach and port-forward on a simulated node (400, as upstream's "container not found" errors). */
export function simulatedStreamError(pod: AnyObject, node: string, kind: 'exec' | 'attach' | 'portforward'): StatusError {
  return badRequest(`pod "${pod.metadata.name ?? ''}" runs on simulated node "${node}": ${NOTHING[kind]} (tandem sim runs no processes)`);
}

interface LogLine {
  /** RFC 3339, from the status */
  time: string;
  text: string;
}

function containerStatus(pod: AnyObject, container: string): Rec | undefined {
  const st = (pod['status'] ?? {}) as Rec;
  for (const list of ['containerStatuses', 'initContainerStatuses', 'ephemeralContainerStatuses']) {
    const cs = ((st[list] as Rec[] | undefined) ?? []).find((c) => c['name'] === container);
    if (cs) return cs;
  }
  return undefined;
}

/** The lines of one container instance: its start, and its end once it has terminated. */
function instanceLines(node: string, container: string, cs: Rec, state: Rec): LogLine[] {
  const running = state['running'] as Rec | undefined;
  const terminated = state['terminated'] as Rec | undefined;
  const started = String(running?.['startedAt'] ?? terminated?.['startedAt'] ?? '');
  if (!started) return [];
  const image = typeof cs['image'] === 'string' && cs['image'] ? ` (image ${cs['image']})` : '';
  const lines: LogLine[] = [
    {
      time: started,
      text: `[simulated] container "${container}"${image} started at ${started} on simulated node "${node}": no process runs there, these lines come from the pod's status`,
    },
  ];
  if (terminated) {
    const finished = String(terminated['finishedAt'] ?? started);
    const reason = terminated['reason'] ? ` (${String(terminated['reason'])})` : '';
    lines.push({
      time: finished,
      text: `[simulated] container "${container}" terminated at ${finished} with exit code ${String(terminated['exitCode'] ?? 0)}${reason}`,
    });
  }
  return lines;
}

/** The simulated log of a container, and whether it can still grow (the container has not terminated). */
function simulatedLines(pod: AnyObject, node: string, container: string, previous: boolean): { lines: LogLine[]; open: boolean } {
  const cs = containerStatus(pod, container) ?? {};
  if (previous) {
    const last = ((cs['lastState'] ?? {}) as Rec)['terminated'] as Rec | undefined;
    if (!last) throw badRequest(`previous terminated container "${container}" in pod "${pod.metadata.name ?? ''}" not found`);
    return { lines: instanceLines(node, container, cs, { terminated: last }), open: false };
  }
  const state = (cs['state'] ?? {}) as Rec;
  return { lines: instanceLines(node, container, cs, state), open: !state['terminated'] };
}

type LogQuery = Omit<PodLogOptions, 'previous'>;

/** Writes lines within the byte budget; false once the budget is spent (the stream then ends). */
function writer(res: ServerResponse, o: LogQuery): (lines: LogLine[]) => boolean {
  let left = o.limitBytes ?? Infinity;
  return (lines) => {
    for (const l of lines) {
      if (o.sinceMs !== undefined && Date.parse(l.time) < o.sinceMs) continue;
      const text = `${o.timestamps ? `${l.time} ` : ''}${l.text}\n`;
      const bytes = Buffer.from(text);
      if (bytes.length >= left) {
        res.write(bytes.subarray(0, left));
        left = 0;
        return false;
      }
      res.write(bytes);
      left -= bytes.length;
    }
    return true;
  };
}

/** GET pods/{name}/log of a pod on a simulated node. */
export async function serveSimulatedLog(
  s: RequestScope,
  pod: AnyObject,
  node: string,
  container: string,
  previous: boolean,
): Promise<void> {
  const o = parsePodLogOptions(s.query, s.ctx.now());
  const first = simulatedLines(pod, node, container, previous);
  s.res.writeHead(200, { 'Content-Type': 'text/plain' });
  const write = writer(s.res, o);
  const shown = o.tailLines !== undefined ? first.lines.slice(Math.max(0, first.lines.length - o.tailLines)) : first.lines;
  if (!write(shown) || !o.follow || !first.open) {
    s.res.end();
    return;
  }
  s.res.flushHeaders();
  await followPod(s, pod, (cur) => {
    const next = simulatedLines(cur, node, container, false);
    const more = write(next.lines.slice(first.lines.length));
    first.lines = next.lines;
    return more && next.open;
  });
  s.res.end();
}

/** Calls `onPod` with each new version of the pod until it returns false, the pod is gone or replaced, or the client leaves. */
async function followPod(s: RequestScope, pod: AnyObject, onPod: (cur: AnyObject) => boolean): Promise<void> {
  const store = s.ctx.store(s.kind);
  const key = store.key(pod.metadata.namespace, pod.metadata.name ?? '');
  const rv = Number(pod.metadata.resourceVersion ?? 0);
  await new Promise<void>((resolve) => {
    let w: { cancel(): void } | undefined;
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      w?.cancel();
      resolve();
    };
    const onEvents = (evs: StorageEvent[]) => {
      for (const ev of evs) {
        if (done || ev.kv.key !== key) continue;
        const cur = objectOf(ev.kv);
        if (ev.type === 'delete' || cur.metadata.uid !== pod.metadata.uid || !onPod(cur)) finish();
      }
    };
    try {
      w = store.backend.watch(key, rv, { onEvents, onError: finish });
    } catch {
      finish(); // history compacted past the pod's version: end, as a log whose source went away
      return;
    }
    if (done) w.cancel();
    s.res.on('close', finish);
  });
}

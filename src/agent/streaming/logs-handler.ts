// GET /containerLogs/{ns}/{pod}/{container}: a container's CRI log file as text/plain, with kubectl's
// options (follow, previous, tailLines, sinceSeconds, sinceTime, timestamps, limitBytes).

import type { IncomingMessage, ServerResponse } from 'node:http';
import { badRequest, notFound } from '../../base/errors.js';
import type { Runtime } from '../runtime/runtime.js';
import { findLogFile, logAttempts } from './log-files.js';
import { streamLogFile, type TailOptions } from './log-tail.js';
import type { PodLookup } from './types.js';

const intParam = (q: URLSearchParams, name: string): number | undefined => {
  const v = q.get(name);
  if (v === null || v === '') return undefined;
  if (!/^-?\d+$/.test(v)) throw badRequest(`invalid value for ${name}: ${JSON.stringify(v)}`);
  return Number(v);
};
const boolParam = (q: URLSearchParams, name: string) => q.get(name) === 'true' || q.get(name) === '1';

/** Parses the log query into tail options (without follow callbacks). */
export function logOptions(q: URLSearchParams, now: number): TailOptions & { previous: boolean } {
  const o: TailOptions & { previous: boolean } = {
    previous: boolParam(q, 'previous'),
    follow: boolParam(q, 'follow'),
    timestamps: boolParam(q, 'timestamps'),
  };
  const tail = intParam(q, 'tailLines');
  if (tail !== undefined && tail >= 0) o.tailLines = tail;
  const limit = intParam(q, 'limitBytes');
  if (limit !== undefined) {
    if (limit < 1) throw badRequest('limitBytes must be greater than zero');
    o.limitBytes = limit;
  }
  const since = intParam(q, 'sinceSeconds');
  const sinceTime = q.get('sinceTime');
  if (since !== undefined && sinceTime) throw badRequest('at most one of sinceTime or sinceSeconds may be specified');
  if (since !== undefined) {
    if (since < 1) throw badRequest('sinceSeconds must be greater than 0');
    o.sinceMs = now - since * 1000;
  } else if (sinceTime) {
    const t = Date.parse(sinceTime);
    if (Number.isNaN(t)) throw badRequest(`invalid sinceTime ${JSON.stringify(sinceTime)}`);
    o.sinceMs = t;
  }
  if (o.previous) o.follow = false;
  return o;
}

export async function handleContainerLogs(
  req: IncomingMessage,
  res: ServerResponse,
  q: URLSearchParams,
  ref: { ns: string; pod: string; container: string },
  deps: { podLookup: PodLookup; runtime: Runtime; now: () => number; pollMs?: number },
): Promise<void> {
  const o = logOptions(q, deps.now());
  const pod = await deps.podLookup(ref.ns, ref.pod, ref.container);
  if (!pod) throw notFound({ group: '', resource: 'pods' }, ref.pod);
  const file = await findLogFile(pod.logDir, ref.container, o.previous);
  if (!file) {
    if (o.previous) throw badRequest(`previous terminated container "${ref.container}" in pod "${ref.pod}" not found`);
    if (!pod.containers.has(ref.container)) throw badRequest(`container "${ref.container}" in pod "${ref.pod}" is not available`);
    throw badRequest(`container "${ref.container}" in pod "${ref.pod}" is waiting to start: ContainerCreating`);
  }
  const ac = new AbortController();
  res.on('close', () => ac.abort());
  req.on('close', () => {
    if (!res.writableFinished) ac.abort();
  });
  if (o.follow) {
    o.pollMs = deps.pollMs ?? 250;
    o.signal = ac.signal;
    o.shouldStop = async () => {
      const cur = await deps.podLookup(ref.ns, ref.pod);
      if (!cur) return true;
      const attempts = await logAttempts(cur.logDir, ref.container);
      if ((attempts[attempts.length - 1] ?? -1) > file.attempt) return true; // replaced by a new attempt
      const id = cur.containers.get(ref.container);
      if (!id) return true;
      try {
        return (await deps.runtime.containerStatus(id)).state !== 'running';
      } catch {
        return true;
      }
    };
  }
  res.writeHead(200, { 'Content-Type': 'text/plain', 'Cache-Control': 'no-cache' });
  res.flushHeaders();
  const write = (b: Buffer) =>
    new Promise<void>((resolve) => {
      if (ac.signal.aborted || res.destroyed) {
        resolve();
        return;
      }
      if (res.write(b)) resolve();
      else {
        const done = () => {
          res.off('drain', done);
          res.off('close', done);
          resolve();
        };
        res.on('drain', done);
        res.on('close', done);
      }
    });
  try {
    await streamLogFile(file.path, write, o);
  } finally {
    if (!res.destroyed) res.end();
  }
}

// GET /containerLogs/{ns}/{pod}/{container}: a container's CRI log file as text/plain, with kubectl's
// options (follow, previous, tailLines, sinceSeconds, sinceTime, timestamps, limitBytes).

import type { IncomingMessage, ServerResponse } from 'node:http';
import { badRequest, notFound } from '../../base/errors.js';
import type { Runtime } from '../runtime/runtime.js';
import { findLogFile, logAttempts } from './log-files.js';
import { streamLogFile, type TailOptions } from './log-tail.js';
import { parsePodLogOptions } from '../../api/kinds/core/pod/log-options.js';
import type { PodLookup } from './types.js';

export async function handleContainerLogs(
  req: IncomingMessage,
  res: ServerResponse,
  q: URLSearchParams,
  ref: { ns: string; pod: string; container: string },
  deps: { podLookup: PodLookup; runtime: Runtime; now: () => number; pollMs?: number },
): Promise<void> {
  const o: TailOptions & { previous: boolean } = parsePodLogOptions(q, deps.now());
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

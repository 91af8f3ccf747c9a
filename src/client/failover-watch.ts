// A watch stream over a pool of API servers. A watch that cannot be opened on one server is opened
// on the next; a watch that breaks (its server died) is opened again on the next server from the last
// resourceVersion it delivered, so the consumer sees one stream with no gap and no repeat: the
// servers share one store and its revisions, and a watch from revision R delivers exactly what
// changed after R. A version the store has compacted away answers 410 (an ERROR event or the HTTP
// status), which goes to the consumer like any other 410: it relists.
// Only a watch that names where it starts (a resourceVersion other than "" and "0") can resume;
// one that began with the current state would repeat it, so it fails instead once it delivered events.

import type http from 'node:http';
import type { StatusError } from '../base/errors.js';
import { startExchange, TransportError, type Target } from './http-attempt.js';
import { isServerFailureAnswer, type ServerPool } from './server-pool.js';

type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
export interface WatchEvent<T = Record<string, unknown>> {
  type: WatchEventType;
  object: T;
}

export interface WatchStream {
  stop(): void;
  done: Promise<void>;
}

interface WatchTransport {
  pool: ServerPool;
  /** marks a server failed in the pool (and drops its idle connections) */
  failed(server: string, reason: string): void;
  target(server: string): Target;
  headers: Record<string, string>;
  toError(status: number, text: string): StatusError;
}

type Outcome = { end: 'closed' } | { end: 'failed'; error: TransportError; established: boolean };

function withResourceVersion(path: string, rv: string): string {
  const u = new URL(path, 'http://watch.invalid');
  u.searchParams.set('resourceVersion', rv);
  return `${u.pathname}${u.search}`;
}

export function failoverWatch(t: WatchTransport, path: string, onEvent: (ev: WatchEvent) => void): WatchStream {
  const startRv = new URL(path, 'http://watch.invalid').searchParams.get('resourceVersion') ?? '';
  const resumable = startRv !== '' && startRv !== '0';
  let lastRv = startRv;
  let delivered = 0;
  let stopped = false;
  let req: http.ClientRequest | undefined;

  /** One stream on one server, until it ends, breaks or cannot be opened (a Status answer rejects). */
  const once = (server: string, p: string) =>
    new Promise<Outcome>((resolve, reject) => {
      let established = false;
      const fail = (error: TransportError) => resolve(stopped ? { end: 'closed' } : { end: 'failed', error, established });
      req = startExchange(
        t.target(server),
        { method: 'GET', path: p, headers: t.headers },
        (res) => {
          const status = res.statusCode ?? 0;
          if (status >= 400) {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => {
              const text = Buffer.concat(chunks).toString('utf8');
              if (isServerFailureAnswer(status, text))
                fail(new TransportError(server, 'bad-answer', `answered ${status} without a Status`));
              else reject(t.toError(status, text));
            });
            res.on('error', () => undefined);
            res.on('close', () => fail(new TransportError(server, 'broken', 'the connection closed before the answer was complete')));
            return;
          }
          established = true;
          t.pool.succeeded(server);
          let buf = '';
          let ended = false;
          res.setEncoding('utf8');
          res.on('data', (c: string) => {
            buf += c;
            // one pass over the chunk's lines, then keep the tail once (not a copy of the rest per line)
            let from = 0;
            for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n', from)) {
              const line = buf.slice(from, i);
              from = i + 1;
              if (!line.trim() || stopped) continue;
              const ev = JSON.parse(line) as WatchEvent;
              const rv =
                ev.type === 'ERROR' ? undefined : (ev.object as { metadata?: { resourceVersion?: string } }).metadata?.resourceVersion;
              if (rv) lastRv = rv;
              delivered++;
              onEvent(ev);
            }
            if (from > 0) buf = buf.slice(from);
          });
          res.on('end', () => {
            ended = true;
            resolve({ end: 'closed' });
          });
          // closed without the end of the chunked body: the server (or the path to it) went away
          // ('error' says the same, and 'close' follows it)
          res.on('error', () => undefined);
          res.on('close', () => {
            if (!ended) fail(new TransportError(server, 'broken', 'the watch connection broke'));
          });
        },
        fail,
      );
    });

  const run = async (): Promise<void> => {
    let queue = t.pool.candidates();
    // rounds of breaks with nothing delivered in between: bounded, so that servers which accept a
    // watch and drop it at once make the watch fail (its consumer backs off) instead of spinning
    let fruitless = 0;
    let seen = delivered;
    for (;;) {
      const server = queue.shift();
      if (server === undefined) throw new Error('no API server to watch on');
      const out = await once(server, resumable ? withResourceVersion(path, lastRv) : path);
      if (out.end === 'closed' || stopped) return;
      t.failed(server, out.error.message);
      if (!resumable && delivered > 0) throw out.error;
      if (out.established) {
        fruitless = delivered > seen ? 0 : fruitless + 1;
        seen = delivered;
        if (fruitless > t.pool.servers().length) throw out.error;
        queue = t.pool.candidates();
      } else if (queue.length === 0) throw out.error;
    }
  };
  const done = run();
  return {
    stop() {
      stopped = true;
      req?.destroy();
    },
    done,
  };
}

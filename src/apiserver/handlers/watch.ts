// WATCH: newline-delimited JSON events on a chunked 200 response; initial state for RV ""/"0",
// 410 Expired as an ERROR event for compacted revisions, bookmarks, timeouts, Table events,
// and selector transitions (an object leaving the selection is sent as DELETED).

import type { KeyValue, StorageEvent } from '../../storage/backend.js';
import { CompactedError } from '../../storage/backend.js';
import { badRequest } from '../../base/errors.js';
import { queryBool } from '../../base/query-bool.js';
import { responseShape } from '../http/negotiate.js';
import { compileFilter } from '../registry/filters.js';
import { indexedTerm, watchIndexed } from '../registry/indexed-watch.js';
import { jsonOf, objectOf } from '../registry/resource-store.js';
import { buildTable, includeObjectOf } from './table.js';
import { partialMetadataJson } from './partial-metadata.js';
import type { RequestScope } from './context.js';

type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** A watcher whose unsent output exceeds this is cut off (it must relist). */
const MAX_BUFFERED = 32 * 1024 * 1024;
const BOOKMARK_INTERVAL_MS = 30_000;

// Lines are encoded once per event and shape (the object itself, or PartialObjectMetadata) and
// shared by every watcher of that shape. The cache holds only recent events (watchers receive an
// event within the same turn): keyed weakly by the stored version it would keep an encoded copy of
// every object alive.
const LINE_CACHE_SIZE = 1024;
type SharedShape = 'object' | 'metadata';
interface Lines {
  type: EventType;
  object?: Buffer;
  metadata?: Buffer;
}
const lineCache = new Map<KeyValue, Lines>();
function sharedLine(type: EventType, kv: KeyValue, shape: SharedShape): Buffer {
  let c = lineCache.get(kv);
  const hit = c?.type === type ? c[shape] : undefined;
  if (hit) return hit;
  const line = Buffer.from(`{"type":"${type}","object":${shape === 'object' ? jsonOf(kv) : partialMetadataJson(kv)}}\n`);
  if (!c || c.type !== type) {
    if (lineCache.size >= LINE_CACHE_SIZE) lineCache.delete(lineCache.keys().next().value as KeyValue);
    c = { type };
    lineCache.set(kv, c);
  }
  c[shape] = line;
  return line;
}

// Watchers of the same events get the same cached lines in the same order: join them once, not
// once per watcher (100 watchers of one namespace each copying the same batch was ~6% of a fan-out).
const joined = new WeakMap<Buffer, { parts: Buffer[]; all: Buffer }>();
function joinShared(parts: Buffer[]): Buffer {
  const first = parts[0] as Buffer;
  const c = joined.get(first);
  if (c && c.parts.length === parts.length && c.parts.every((p, i) => p === parts[i])) return c.all;
  const all = Buffer.concat(parts);
  joined.set(first, { parts, all });
  return all;
}

export async function handleWatch(s: RequestScope): Promise<void> {
  const q = s.query;
  const shape = responseShape(s.req.headers['accept']);
  if (s.info.name !== undefined) {
    // GET .../pods/name?watch=true is a watch with a name field selector
    const fs = q.get('fieldSelector');
    q.set('fieldSelector', fs ? `${fs},metadata.name=${s.info.name}` : `metadata.name=${s.info.name}`);
  }
  const filter = compileFilter(s.kind, q.get('labelSelector'), q.get('fieldSelector'));
  const rvText = q.get('resourceVersion') ?? '';
  const timeoutText = q.get('timeoutSeconds');
  let timeoutMs = (1800 + Math.floor(Math.random() * 1800)) * 1000;
  if (timeoutText !== null) {
    const t = Number(timeoutText);
    if (!Number.isFinite(t) || t < 0) throw badRequest(`timeoutSeconds: Invalid value: "${timeoutText}": must be a non-negative integer`);
    if (t > 0) timeoutMs = t * 1000;
  }
  // a malformed resourceVersion is refused before the stream starts (an HTTP error, not an ERROR event)
  const fromInitial = rvText === '' || rvText === '0';
  const requestedRv = fromInitial ? 0 : Number(rvText);
  if (!Number.isInteger(requestedRv) || requestedRv < 0) {
    throw badRequest(`resourceVersion: Invalid value: "${rvText}": must be a non-negative integer`);
  }
  const bookmarks = queryBool(q, 'allowWatchBookmarks');
  const sendInitial = queryBool(q, 'sendInitialEvents');
  const store = s.ctx.store(s.kind);
  const res = s.res;
  const inc = includeObjectOf(q);
  const apiVersion = s.kind.group ? `${s.kind.group}/${s.kind.version}` : s.kind.version;
  let firstTable = true;
  let lastRv = 0;

  const matches = (kv: KeyValue | undefined) => kv !== undefined && (!filter || filter(kv));
  const lineFor = (type: EventType, kv: KeyValue): Buffer => {
    if (shape !== 'table') return sharedLine(type, kv, shape);
    const t = buildTable(s.kind, [objectOf(kv)], inc, s.ctx.now(), { resourceVersion: String(kv.modRevision) }, firstTable);
    firstTable = false;
    return Buffer.from(`{"type":"${type}","object":${JSON.stringify(t)}}\n`);
  };

  let closed = false;
  let watch: { cancel(): void; progress?(): number | undefined } | undefined;
  let timer: NodeJS.Timeout | undefined;
  let bookmarkTimer: NodeJS.Timeout | undefined;
  const finish = () => {
    if (closed) return;
    closed = true;
    watch?.cancel();
    if (timer) clearTimeout(timer);
    if (bookmarkTimer) clearInterval(bookmarkTimer);
    if (!res.writableEnded) res.end();
  };
  const write = (text: string | Buffer) => {
    if (closed) return;
    res.write(text);
    if (res.writableLength > MAX_BUFFERED) {
      closed = true;
      watch?.cancel();
      res.destroy();
    }
  };

  res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked', 'Cache-Control': 'no-cache, private' });
  if ('flushHeaders' in res) res.flushHeaders();
  res.on('close', finish);

  const onEvents = (evs: StorageEvent[]) => {
    if (closed) return;
    const out: Buffer[] = [];
    for (const ev of evs) {
      lastRv = ev.kv.modRevision;
      switch (ev.type) {
        case 'create':
          if (matches(ev.kv)) out.push(lineFor('ADDED', ev.kv));
          break;
        case 'update': {
          const now = matches(ev.kv);
          const before = matches(ev.prev);
          if (now && before) out.push(lineFor('MODIFIED', ev.kv));
          else if (now) out.push(lineFor('ADDED', ev.kv));
          else if (before) out.push(lineFor('DELETED', { ...ev.prev, modRevision: ev.kv.modRevision }));
          break;
        }
        case 'delete':
          if (matches(ev.prev)) out.push(lineFor('DELETED', ev.kv));
          break;
        default: {
          const never: never = ev;
          void never;
        }
      }
    }
    if (out.length === 1) write(out[0]!);
    else if (out.length > 1) write(joinShared(out));
  };
  const onError = (e: Error) => {
    if (closed) return;
    write(
      `{"type":"ERROR","object":${JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: e.message, reason: 'Expired', code: 410 })}}\n`,
    );
    finish();
  };

  let startAfter: number;
  if (fromInitial || sendInitial) {
    const list = await store.backend.list(store.prefix(s.info.namespace));
    let out: Buffer[] = [];
    let size = 0;
    for (const kv of list.kvs) {
      if (!matches(kv)) continue;
      const line = lineFor('ADDED', kv);
      out.push(line);
      size += line.length;
      if (size > 256 * 1024) {
        write(Buffer.concat(out));
        out = [];
        size = 0;
      }
    }
    if (out.length) write(Buffer.concat(out));
    startAfter = list.revision;
    if (sendInitial && bookmarks) {
      write(
        `{"type":"BOOKMARK","object":${JSON.stringify({ kind: s.kind.kind, apiVersion, metadata: { resourceVersion: String(list.revision), annotations: { 'k8s.io/initial-events-end': 'true' } } })}}\n`,
      );
    }
  } else {
    startAfter = requestedRv;
  }
  lastRv = startAfter;
  try {
    const term = s.info.namespace === undefined ? indexedTerm(s.kind, q.get('fieldSelector')) : undefined;
    watch = term
      ? watchIndexed(store, term.field, term.value, startAfter, onEvents, onError)
      : store.watch(s.info.namespace, startAfter, onEvents, onError);
  } catch (e) {
    if (e instanceof CompactedError) {
      onError(new Error(`too old resource version: ${startAfter} (${e.compacted})`));
      return;
    }
    throw e;
  }
  if (closed) {
    watch.cancel();
    return;
  }
  // As upstream's watch cache: a bookmark carries the store's progress, not only this watch's last
  // event, and one goes out just before the timeout ends the watch. A client of a quiet prefix (pods
  // of an idle cluster) then resumes from a revision compaction kept; with the revision of its last
  // event it got 410 Gone after every timeout and relisted everything (150,000 pods).
  const bookmark = () => {
    lastRv = Math.max(lastRv, watch?.progress?.() ?? 0);
    write(
      `{"type":"BOOKMARK","object":${JSON.stringify({ kind: s.kind.kind, apiVersion, metadata: { resourceVersion: String(lastRv) } })}}\n`,
    );
  };
  timer = setTimeout(() => {
    if (bookmarks) bookmark();
    finish();
  }, timeoutMs);
  if (bookmarks) bookmarkTimer = setInterval(bookmark, BOOKMARK_INTERVAL_MS);
}

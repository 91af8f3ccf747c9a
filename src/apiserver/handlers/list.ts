// LIST with selectors, paging (limit/continue) and Table output; GET of one object.

import type { AnyObject } from '../../api/object.js';
import type { KeyValue } from '../../storage/backend.js';
import { badRequest, expired, StatusError } from '../../base/errors.js';
import { sendJson, sendJsonText } from '../http/respond.js';
import { responseShape } from '../http/negotiate.js';
import { compileFilter } from '../registry/filters.js';
import { jsonOf, objectOf } from '../registry/resource-store.js';
import { buildTable, includeObjectOf, tableRow } from './table.js';
import { PARTIAL_LIST_HEAD, partialMetadataJson } from './partial-metadata.js';
import type { RequestScope } from './context.js';
import { createYielder } from '../flowcontrol/yielder.js';
import { recordListSize } from '../flowcontrol/work-estimate.js';

interface ContinueToken {
  v: string;
  rv: number;
  start: string;
}

function encodeContinue(rv: number, lastKey: string, prefix: string): string {
  const t: ContinueToken = { v: 'meta.k8s.io/v1', rv, start: lastKey.slice(prefix.length) + '\u0000' };
  return Buffer.from(JSON.stringify(t)).toString('base64');
}

function decodeContinue(token: string): ContinueToken {
  try {
    const t = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as Partial<ContinueToken>;
    if (typeof t.rv !== 'number' || typeof t.start !== 'string' || t.start.includes('..') || t.start.startsWith('/'))
      throw new Error('bad token');
    return { v: String(t.v), rv: t.rv, start: t.start };
  } catch {
    throw badRequest('continue key is not valid: invalid continue token');
  }
}

export interface ListPage {
  kvs: KeyValue[];
  items: AnyObject[];
  revision: number;
  continueToken: string | undefined;
}

/** Selected objects of one page (all when no limit). `namespaceOverride` lists across namespaces when undefined. */
export async function listObjects(s: RequestScope, limitOverride?: number): Promise<ListPage> {
  const page = await listKvs(s, limitOverride);
  return { ...page, items: page.kvs.map(objectOf) };
}

async function listKvs(s: RequestScope, limitOverride?: number): Promise<Omit<ListPage, 'items'>> {
  const q = s.query;
  const store = s.ctx.store(s.kind);
  const prefix = store.prefix(s.info.namespace);
  const filter = compileFilter(s.kind, q.get('labelSelector'), q.get('fieldSelector'));
  const limitText = q.get('limit');
  const limit = limitOverride ?? (limitText ? Number(limitText) : 0);
  if (!Number.isInteger(limit) || limit < 0)
    throw badRequest(`limit: Invalid value: ${JSON.stringify(limitText)}: must be a non-negative integer`);
  let after: string | undefined;
  const cont = q.get('continue');
  if (cont) {
    const t = decodeContinue(cont);
    const compacted = await s.ctx.backend.compactedRevision();
    if (t.rv < compacted)
      throw expired(
        'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.',
      );
    after = prefix + t.start.slice(0, -1);
  }
  const rvText = q.get('resourceVersion');
  const current = await s.ctx.backend.currentRevision();
  if (rvText && rvText !== '0') {
    const rv = Number(rvText);
    if (!Number.isInteger(rv) || rv < 0) throw badRequest(`resourceVersion: Invalid value: "${rvText}": must be a non-negative integer`);
    if (rv > current)
      throw new StatusError(504, 'Timeout', `Too large resource version: ${rv}, current: ${current}`, { retryAfterSeconds: 1 });
  }
  // through the store: a kind served at another version than it is stored at reads through a view.
  // One read at the current revision (the store's in-memory index): reading older revisions page by
  // page would go to the log, which is far slower than the filtering it would spread out.
  const res = await store.backend.list(prefix, after !== undefined ? { after } : {});
  const kvs: KeyValue[] = [];
  let lastKey: string | undefined;
  let more = false;
  // filtering parses each object's labels once (cached per stored version): over tens of thousands
  // of objects it still yields the event loop between slices
  const yielder = createYielder();
  for (const kv of res.kvs) {
    if (filter) {
      const pause = yielder.step();
      if (pause) await pause;
      if (!filter(kv)) continue;
    }
    if (limit > 0 && kvs.length >= limit) {
      more = true;
      break;
    }
    kvs.push(kv);
    lastKey = kv.key;
  }
  // a whole read tells the work estimator how big this resource is
  if (after === undefined) recordListSize(s.kind.group, s.kind.plural, res.kvs.length);
  const continueToken = more && lastKey !== undefined ? encodeContinue(res.revision, lastKey, prefix) : undefined;
  return { kvs, revision: res.revision, continueToken };
}

export async function handleList(s: RequestScope): Promise<void> {
  const shape = responseShape(s.req.headers['accept']);
  const page = await listKvs(s);
  const meta: { resourceVersion: string; continue?: string } = { resourceVersion: String(page.revision) };
  if (page.continueToken) meta.continue = page.continueToken;
  if (shape === 'table') {
    const inc = includeObjectOf(s.query);
    const now = s.ctx.now();
    const table = buildTable(s.kind, [], inc, now, meta);
    const rows: unknown[] = [];
    const yielder = createYielder();
    for (const kv of page.kvs) {
      const pause = yielder.step();
      if (pause) await pause;
      rows.push(tableRow(s.kind, objectOf(kv), inc, now));
    }
    table['rows'] = rows;
    sendJson(s.res, 200, table);
    return;
  }
  if (shape === 'metadata') {
    await streamItems(s.res, PARTIAL_LIST_HEAD(meta), page.kvs, partialMetadataJson);
    return;
  }
  const apiVersion = s.kind.group ? `${s.kind.group}/${s.kind.version}` : s.kind.version;
  const head = `{"kind":${JSON.stringify(s.kind.listKind)},"apiVersion":${JSON.stringify(apiVersion)},"metadata":${JSON.stringify(meta)},"items":[`;
  await streamItems(s.res, head, page.kvs, jsonOf);
}

const CHUNK = 256 * 1024;

/**
 * Writes a list body: small ones in one piece with a Content-Length, large ones in chunks that
 * wait for the socket to drain, so a LIST of 10,000 objects never builds one huge string.
 */
async function streamItems(
  res: RequestScope['res'],
  head: string,
  kvs: readonly KeyValue[],
  render: (kv: KeyValue) => string,
): Promise<void> {
  let buf = head;
  let i = 0;
  for (; i < kvs.length && buf.length < CHUNK; i++) buf += (i ? ',' : '') + render(kvs[i]!);
  if (i === kvs.length) {
    sendJsonText(res, 200, buf + ']}');
    return;
  }
  res.writeHead(200, { 'Content-Type': 'application/json' });
  const yielder = createYielder();
  for (; i < kvs.length; i++) {
    buf += ',' + render(kvs[i]!);
    const pause = yielder.step();
    if (pause) {
      await pause;
      if (res.destroyed) return;
    }
    if (buf.length >= CHUNK) {
      const ok = res.write(buf);
      buf = '';
      if (!ok) {
        await new Promise<void>((resolve) => {
          const done = () => {
            res.off('drain', done);
            res.off('close', done);
            resolve();
          };
          res.on('drain', done);
          res.on('close', done);
        });
        if (res.destroyed) return;
      }
    }
  }
  res.end(buf + ']}\n');
}

export async function handleGet(s: RequestScope): Promise<void> {
  const shape = responseShape(s.req.headers['accept']);
  const store = s.ctx.store(s.kind);
  const name = s.info.name!;
  const kv = await store.getKv(s.info.namespace, name);
  if (!kv) {
    await store.get(s.info.namespace, name); // throws the NotFound Status
    return;
  }
  if (shape === 'table') {
    const inc = includeObjectOf(s.query);
    sendJson(s.res, 200, buildTable(s.kind, [objectOf(kv)], inc, s.ctx.now(), { resourceVersion: String(kv.modRevision) }));
    return;
  }
  if (shape === 'metadata') {
    sendJsonText(s.res, 200, partialMetadataJson(kv));
    return;
  }
  sendJsonText(s.res, 200, jsonOf(kv));
}

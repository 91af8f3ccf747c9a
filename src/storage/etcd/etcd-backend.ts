// The Backend over etcd (v3 API, through the etcd3 client with a deadline on every unary call and
// its failover between endpoints). Revisions are etcd's own: a write's revision is the header
// revision of its transaction, create is a transaction on createRevision == 0, update and
// conditional delete on modRevision == expected, and a failed comparison reads the key in the same
// transaction to say which error it is (and to carry the current value in a ConflictError).
// Values are the API server's JSON as is. Keys are mapped through a KeySpace (the backend's prefix
// and upstream's key layout). etcd does not tell its compaction point except when refused, so the
// backend finds it at open (a bisection over readable revisions) and keeps it up to date from its
// own compactions and from etcd's refusals; a watch below the known point throws at once, one below
// a point only etcd knew of ends with onError(CompactedError).
import { Etcd3, type IKeyValue, type IRangeRequest, type IRangeResponse, type IRequestOp, type ITxnResponse } from 'etcd3';
import type { Logger } from '../../base/log.js';
import {
  ClosedError,
  CompactedError,
  ConflictError,
  FutureRevisionError,
  KeyExistsError,
  KeyNotFoundError,
  type Backend,
  type KeyValue,
  type ListOptions,
  type ListResult,
  type Watch,
  type WatchHandlers,
} from '../backend.js';
import { isCompactedMessage, isFutureMessage, mapEtcdError } from './etcd-errors.js';
import { KeySpace, type EtcdRange } from './etcd-keyspace.js';
import { DeliveringWatch, toKeyValue, toStorageEvent } from './etcd-watch.js';
import { WatchStream } from './watch-stream.js';
import { memberPolicy, retryPolicy } from './etcd-fault-policy.js';
import { IDENTITY_LAYOUT, type KeyLayout } from './key-layout.js';
import { startAutoCompaction, type AutoCompactOptions } from '../auto-compact.js';

export interface EtcdTls {
  ca: Buffer;
  cert?: Buffer;
  key?: Buffer;
}

export interface EtcdBackendOptions extends AutoCompactOptions {
  /** host:port of each member */
  endpoints: string[];
  /** the backend's prefix in etcd: "" or "/name" */
  prefix?: string;
  layout?: KeyLayout;
  /** client certificates: https endpoints */
  tls?: EtcdTls;
  /** deadline of every unary call (default 10 s) */
  callTimeoutMs?: number;
  log?: Logger;
}

export type EtcdBackend = Backend & { readonly client: Etcd3 };

const kvOf = (key: string, kv: IKeyValue): KeyValue => toKeyValue(key, kv);

/** Opens the backend: its first call to etcd learns the compaction point (and fails if etcd does not answer). */
export async function createEtcdBackend(o: EtcdBackendOptions): Promise<EtcdBackend> {
  const scheme = o.tls ? 'https' : 'http';
  const hosts = o.endpoints.map((h) => `${scheme}://${h}`);
  const endpoints = o.endpoints.join(',');
  const timeout = o.callTimeoutMs ?? 10_000;
  const client = new Etcd3({
    hosts,
    ...(o.tls
      ? {
          credentials: {
            rootCertificate: o.tls.ca,
            ...(o.tls.key ? { privateKey: o.tls.key } : {}),
            ...(o.tls.cert ? { certChain: o.tls.cert } : {}),
          },
        }
      : {}),
    grpcOptions: { 'grpc.max_receive_message_length': -1, 'grpc.max_send_message_length': -1 },
    defaultCallOptions: (ctx) => (ctx.isStream ? {} : { deadline: Date.now() + timeout }),
    dialTimeout: timeout,
    faultHandling: { host: (h) => memberPolicy(h), global: retryPolicy(hosts.length) },
  });
  const name = `etcd://${endpoints}${o.prefix ?? ''}`;
  const keys = new KeySpace(o.prefix ?? '', o.layout ?? IDENTITY_LAYOUT);
  const stream = new WatchStream(client.watchClient, endpoints, o.log);
  const watches = new Set<DeliveringWatch>();
  /** this backend's recent writes, so close() can let watches catch up with them */
  const recent: Array<{ key: string; rev: number }> = [];
  let compacted = 0;
  let closed = false;

  const open = () => {
    if (closed) throw new ClosedError(name);
  };
  const call = async <T>(f: () => Promise<T>): Promise<T> => {
    open();
    try {
      return await f();
    } catch (e) {
      if (closed) throw new ClosedError(name);
      throw mapEtcdError(name, endpoints, e);
    }
  };
  const wrote = (key: string, rev: number) => {
    recent.push({ key, rev });
    if (recent.length > 256) recent.splice(0, 128);
  };
  // Keys that expire (upstream's --event-ttl): each write carries a lease; one lease is shared by
  // the writes of a short window (5% of the TTL, at most a minute, as upstream's lease manager
  // does) and lives TTL + window, so a key goes at most a window late, never early.
  let expiry: { prefixes: readonly string[]; ttlMs: number } | undefined;
  let lease: { id: Promise<string>; until: number } | undefined;
  const leaseFor = (key: string): Promise<string> | undefined => {
    if (!expiry || !expiry.prefixes.some((p) => key.startsWith(p))) return undefined;
    const now = Date.now();
    if (lease && now < lease.until) return lease.id;
    const window = Math.min(60_000, expiry.ttlMs * 0.05);
    const ttl = Math.max(1, Math.ceil((expiry.ttlMs + window) / 1000));
    const id = client.leaseClient.leaseGrant({ TTL: ttl }).then((r) => r.ID);
    const mine = { id, until: now + window };
    lease = mine;
    id.catch(() => {
      if (lease === mine) lease = undefined;
    });
    return id;
  };
  const putOp = async (key: string, k: Buffer, value: string, prevKv: boolean): Promise<IRequestOp> => {
    const l = leaseFor(key);
    return { request_put: { key: k, value: Buffer.from(value), ...(prevKv ? { prev_kv: true } : {}), ...(l ? { lease: await l } : {}) } };
  };
  const rangeReq = (r: EtcdRange, extra: Partial<IRangeRequest> = {}): IRangeRequest => ({ key: r.key, range_end: r.end, ...extra });

  // One key read (it need not exist) for the store's revision: a count over a range would walk its index.
  const probeKey = Buffer.from(`${o.prefix ?? ''}/tandem/revision`);
  const headRevision = async () => Number((await client.kv.range({ key: probeKey, keys_only: true })).header.revision);
  /** etcd's compaction point: the oldest readable revision, found by bisection (0 when nothing was compacted). */
  const probeCompacted = async (): Promise<number> => {
    const readable = async (rev: number) => {
      try {
        await client.kv.range({ key: probeKey, revision: rev, keys_only: true });
        return true;
      } catch (e) {
        if (isCompactedMessage(e)) return false;
        throw e;
      }
    };
    if (await readable(1)) return 0;
    let lo = 1; // not readable
    let hi = await headRevision(); // readable
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (await readable(mid)) hi = mid;
      else lo = mid;
    }
    return hi;
  };
  const compactedFor = async (rev: number): Promise<CompactedError> => {
    compacted = Math.max(compacted, await probeCompacted().catch(() => compacted));
    return new CompactedError(rev, compacted);
  };

  const range = async (req: IRangeRequest): Promise<IRangeResponse> => {
    try {
      return await client.kv.range(req);
    } catch (e) {
      const rev = Number(req.revision ?? 0);
      if (isCompactedMessage(e)) throw await compactedFor(rev);
      if (isFutureMessage(e)) throw new FutureRevisionError(rev, await headRevision());
      throw e;
    }
  };

  const txn = (key: Buffer, compare: 'create' | 'mod', rev: number, success: IRequestOp): Promise<ITxnResponse> =>
    client.kv.txn({
      compare: [
        {
          key,
          target: compare === 'create' ? 'Create' : 'Mod',
          result: 'Equal',
          ...(compare === 'create' ? { create_revision: rev } : { mod_revision: rev }),
        },
      ],
      success: [success],
      failure: [{ request_range: { key } }],
    });
  /** After a failed comparison: the key's current value (or its absence) as the caller's error. */
  const refused = (key: string, res: ITxnResponse): Error => {
    const kv = res.responses[0]?.response_range?.kvs[0];
    return kv ? new ConflictError(key, kvOf(key, kv)) : new KeyNotFoundError(key);
  };

  /** Every key under `prefix` (decoded, filtered, sorted) when the plan spans several ranges or mixes keys. */
  const listWide = async (prefix: string, rev: number | undefined, keysOnly: boolean): Promise<{ kvs: KeyValue[]; revision: number }> => {
    const plan = keys.plan(prefix);
    const out: KeyValue[] = [];
    let at = rev;
    for (const r of plan.ranges) {
      const res = await range(rangeReq(r, { ...(at ? { revision: at } : {}), keys_only: keysOnly }));
      at ??= Number(res.header.revision);
      for (const kv of res.kvs) {
        const k = keys.decode(kv.key);
        if (k !== undefined && k.startsWith(prefix)) out.push(kvOf(k, kv));
      }
    }
    out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    return { kvs: out, revision: at ?? 0 };
  };

  const backend: EtcdBackend = {
    name,
    client,
    currentRevision: () => call(headRevision),
    async compactedRevision() {
      open();
      return compacted;
    },
    get: (key) =>
      call(async () => {
        const res = await client.kv.range({ key: keys.encode(key) });
        const kv = res.kvs[0];
        return kv ? kvOf(key, kv) : undefined;
      }),
    list: (prefix, opts: ListOptions = {}) =>
      call(async (): Promise<ListResult> => {
        const rev = opts.revision && opts.revision > 0 ? opts.revision : undefined;
        const limit = opts.limit && opts.limit > 0 ? opts.limit : 0;
        const plan = keys.plan(prefix);
        if (!plan.exact) {
          const all = await listWide(prefix, rev, false);
          const after = opts.after;
          const from = after === undefined ? all.kvs : all.kvs.filter((kv) => kv.key > after);
          const n = limit || from.length;
          return { kvs: from.slice(0, n), revision: all.revision, more: from.length > n };
        }
        const r = plan.ranges[0]!;
        let start = r.key;
        if (opts.after !== undefined && opts.after >= prefix) {
          const a = Buffer.concat([keys.encode(opts.after), Buffer.from([0])]);
          if (Buffer.compare(a, start) > 0) start = a;
        }
        const res = await range({ key: start, range_end: r.end, ...(rev ? { revision: rev } : {}), ...(limit ? { limit } : {}) });
        const kvs = res.kvs.map((kv) => kvOf(keys.decode(kv.key)!, kv));
        return { kvs, revision: rev ?? Number(res.header.revision), more: res.more };
      }),
    count: (prefix) =>
      call(async () => {
        const plan = keys.plan(prefix);
        if (!plan.exact) return (await listWide(prefix, undefined, true)).kvs.length;
        return Number((await range(rangeReq(plan.ranges[0]!, { count_only: true }))).count);
      }),
    create: (key, value) =>
      call(async () => {
        const k = keys.encode(key);
        const res = await txn(k, 'create', 0, await putOp(key, k, value, false));
        if (!res.succeeded) throw new KeyExistsError(key);
        const rev = Number(res.header.revision);
        wrote(key, rev);
        return { key, value, createRevision: rev, modRevision: rev };
      }),
    update: (key, value, expectedRevision) =>
      call(async () => {
        const k = keys.encode(key);
        const res = await txn(k, 'mod', expectedRevision, await putOp(key, k, value, true));
        if (!res.succeeded) throw refused(key, res);
        const rev = Number(res.header.revision);
        const prev = res.responses[0]?.response_put?.prev_kv;
        wrote(key, rev);
        return { key, value, createRevision: prev ? Number(prev.create_revision) : rev, modRevision: rev };
      }),
    delete: (key, expectedRevision) =>
      call(async () => {
        const k = keys.encode(key);
        const del: IRequestOp = { request_delete_range: { key: k, prev_kv: true } };
        const res = expectedRevision === undefined ? await client.kv.txn({ success: [del] }) : await txn(k, 'mod', expectedRevision, del);
        if (!res.succeeded) throw refused(key, res);
        const prev = res.responses[0]?.response_delete_range?.prev_kvs[0];
        if (!prev) throw new KeyNotFoundError(key);
        const rev = Number(res.header.revision);
        wrote(key, rev);
        return { ...kvOf(key, prev), modRevision: rev };
      }),
    watch(prefix: string, afterRevision: number, handlers: WatchHandlers): Watch {
      open();
      if (afterRevision < compacted) throw new CompactedError(afterRevision, compacted);
      const plan = keys.plan(prefix);
      const r = plan.exact ? plan.ranges[0]! : keys.covering(plan);
      let cancelRaw = () => {};
      const w = new DeliveringWatch(prefix, handlers, (x) => {
        watches.delete(x);
        cancelRaw();
      });
      watches.add(w);
      cancelRaw = stream.add(r, afterRevision + 1, {
        events(evs) {
          const out = [];
          for (const ev of evs) {
            const se = toStorageEvent(keys, prefix, ev);
            if (se) out.push(se);
          }
          w.push(out);
        },
        compacted(at) {
          compacted = Math.max(compacted, at);
          w.fail(new CompactedError(afterRevision, at));
        },
        failed(err) {
          w.fail(err);
        },
      });
      return w;
    },
    compact: (rev) =>
      call(async () => {
        if (rev <= compacted) return;
        try {
          await client.kv.compact({ revision: rev, physical: false });
        } catch (e) {
          if (isFutureMessage(e)) throw new FutureRevisionError(rev, await backend.currentRevision());
          if (!isCompactedMessage(e)) throw e;
        }
        compacted = Math.max(compacted, rev);
      }),
    expireUnder(prefixes, ttlMs) {
      expiry = { prefixes: [...prefixes], ttlMs };
      lease = undefined;
    },
    async close() {
      if (closed) return;
      // Let each watch receive this backend's own writes it has not seen yet (a watcher that saw
      // a write acknowledged expects its event before the end), for at most a second.
      await Promise.all(
        [...watches].map((w) => {
          let rev = 0;
          for (const x of recent) if (x.rev > rev && x.key.startsWith(w.prefix)) rev = x.rev;
          return w.caughtUp(rev, 1000);
        }),
      );
      closed = true;
      stopAuto();
      stream.close();
      const err = new ClosedError(name);
      for (const w of [...watches]) w.fail(err);
      client.close();
    },
  };
  try {
    compacted = await probeCompacted();
  } catch (e) {
    client.close();
    throw mapEtcdError(name, endpoints, e);
  }
  const stopAuto = startAutoCompaction(backend, o, (e) =>
    o.log?.warn('etcd compaction failed', { endpoints, error: e instanceof Error ? e.message : String(e) }),
  );
  return backend;
}

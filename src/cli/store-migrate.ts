// The copy at the heart of `tandem store migrate`: every key under /registry/ of one backend into
// another, read at one revision of the source (a consistent snapshot even if something wrote), the
// stored JSON as is (uids, creation timestamps, owner references, managed fields are inside it), then
// verified by count and by a SHA-256 over the (key, value) pairs of both sides in key order. The
// target gives the copies its own revisions: resourceVersions change, which every client survives by
// relisting (the cluster is stopped during a migration, so none is watching). Opening the stores and
// refusing a running cluster's store is store-command.ts's job.
import { createHash, type Hash } from 'node:crypto';
import type { Backend } from '../storage/index.js';

const MIGRATED_PREFIX = '/registry/';
const PAGE = 500;

interface MigrateProgress {
  /** keys copied so far, of `total` (the source's count at the start) */
  copied: number;
  total: number;
  bytes: number;
}

export interface MigrateOptions {
  source: Backend;
  target: Backend;
  /** the target may hold keys under /registry/: they are deleted first (default: refuse) */
  force?: boolean;
  /** writes in flight at once (default 32: etcd's throughput comes from concurrency) */
  concurrency?: number;
  onProgress?: (p: MigrateProgress) => void;
}

export interface MigrateResult {
  keys: number;
  bytes: number;
  /** sha256 hex over key NUL value NUL, in key order: equal on both sides */
  checksum: string;
  /** the source revision the copy was read at */
  sourceRevision: number;
  /** keys deleted from the target first (--force) */
  deleted: number;
  ms: number;
}

/** The target already holds a cluster's keys. */
export class TargetNotEmptyError extends Error {
  constructor(
    readonly target: string,
    readonly keys: number,
  ) {
    super(
      `the target ${target} already holds ${keys} key(s) under ${MIGRATED_PREFIX} (another cluster, or an earlier migration): ` +
        'choose an empty store (or another etcd prefix), or add --force to delete them and copy anew',
    );
    this.name = 'TargetNotEmptyError';
  }
}

/** The copy differs from the source: what differs. */
export class VerifyError extends Error {
  constructor(why: string) {
    super(`verification failed: ${why}`);
    this.name = 'VerifyError';
  }
}

const feed = (h: Hash, key: string, value: string) => h.update(key).update('\0').update(value).update('\0');

/** Every key under the prefix, page by page, at `revision` (absent: current). */
async function* walk(b: Backend, revision?: number): AsyncGenerator<{ key: string; value: string }> {
  let after: string | undefined;
  for (;;) {
    const page = await b.list(MIGRATED_PREFIX, {
      limit: PAGE,
      ...(after !== undefined ? { after } : {}),
      ...(revision ? { revision } : {}),
    });
    for (const kv of page.kvs) yield kv;
    if (!page.more || page.kvs.length === 0) return;
    after = page.kvs[page.kvs.length - 1]!.key;
  }
}

/** Runs `op` on each item with at most `n` in flight; the first failure stops the rest and is thrown. */
async function pool<T>(items: AsyncIterable<T>, n: number, op: (t: T) => Promise<void>): Promise<void> {
  const inFlight = new Set<Promise<void>>();
  let failed: unknown;
  for await (const t of items) {
    if (failed !== undefined) break;
    const p: Promise<void> = op(t).then(
      () => void inFlight.delete(p),
      (e: unknown) => {
        inFlight.delete(p);
        failed ??= e;
      },
    );
    inFlight.add(p);
    if (inFlight.size >= n) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  if (failed !== undefined) throw failed;
}

export async function migrateStore(o: MigrateOptions): Promise<MigrateResult> {
  const t0 = performance.now();
  const { source, target } = o;
  const existing = await target.count(MIGRATED_PREFIX);
  if (existing > 0 && !o.force) throw new TargetNotEmptyError(target.name, existing);
  let deleted = 0;
  if (existing > 0) {
    const keys: string[] = [];
    for await (const kv of walk(target)) keys.push(kv.key);
    await pool(
      (async function* () {
        yield* keys;
      })(),
      o.concurrency ?? 32,
      async (k) => {
        await target.delete(k);
        deleted++;
      },
    );
  }
  const sourceRevision = await source.currentRevision();
  const total = await source.count(MIGRATED_PREFIX);
  const h = createHash('sha256');
  let copied = 0;
  let bytes = 0;
  // the hash is fed in key order as pages arrive, whatever order the concurrent writes finish in
  const hashed = async function* () {
    for await (const kv of walk(source, sourceRevision || undefined)) {
      feed(h, kv.key, kv.value);
      yield kv;
    }
  };
  await pool(hashed(), o.concurrency ?? 32, async (kv) => {
    await target.create(kv.key, kv.value);
    copied++;
    bytes += kv.value.length;
    o.onProgress?.({ copied, total, bytes });
  });
  const checksum = h.digest('hex');
  // verify: count and checksum of the target, read back after the copy
  const targetCount = await target.count(MIGRATED_PREFIX);
  if (targetCount !== copied)
    throw new VerifyError(`the source had ${copied} key(s) under ${MIGRATED_PREFIX}, the target has ${targetCount}`);
  const th = createHash('sha256');
  const src = walk(source, sourceRevision || undefined);
  let n = 0;
  for await (const kv of walk(target)) {
    feed(th, kv.key, kv.value);
    const s = (await src.next()).value as { key: string; value: string } | undefined;
    if (!s || s.key !== kv.key || s.value !== kv.value) {
      throw new VerifyError(
        `key ${n + 1} differs: source ${s ? s.key : '(none)'}, target ${kv.key}${s?.key === kv.key ? ' (value differs)' : ''}`,
      );
    }
    n++;
  }
  const targetSum = th.digest('hex');
  if (targetSum !== checksum) throw new VerifyError(`checksums differ: source ${checksum}, target ${targetSum}`);
  return { keys: copied, bytes, checksum, sourceRevision, deleted, ms: performance.now() - t0 };
}

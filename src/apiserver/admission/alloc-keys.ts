// One storage key per allocated Service ClusterIP or NodePort, created with the backend's atomic
// create-if-absent (the model of upstream's networking.k8s.io IPAddress objects, one per address).
//
// Why keys and not a bitmap under compare-and-swap (upstream's older /registry/ranges design): two
// API servers racing for different addresses never conflict, a conflict on the same address is
// decided by the store in one round trip with no retry loop, and each entry names the Service that
// holds it, which is what makes release (only the owner's entry is removed) and the repair pass
// (entries whose owner is gone) safe. The cost is a list of the prefix when the range is nearly
// full, which only the slow path of dynamic allocation pays.

import { KeyExistsError, KeyNotFoundError, ConflictError, type Backend, type KeyValue } from '../../storage/backend.js';

/** Who holds an entry: the Service, and when it was taken (repair leaves young orphans alone). */
export interface AllocationOwner {
  namespace: string;
  name: string;
  uid: string;
  /** ms since the epoch */
  at: number;
}

export interface AllocationKeys {
  readonly prefix: string;
  /** Takes `item` for `owner`: true when taken now, or already held by the same uid; false when another holds it. */
  claim(item: string, owner: AllocationOwner): Promise<boolean>;
  /** Whether `item` is free (dry runs ask this instead of claiming). */
  isFree(item: string): Promise<boolean>;
  /** Frees `item` if `uid` holds it (an entry of another owner is left alone). */
  release(item: string, uid: string): Promise<boolean>;
  /** Every entry: item -> owner and the entry's revision. */
  list(): Promise<Map<string, { owner: AllocationOwner | undefined; kv: KeyValue }>>;
  /** Removes an entry only if it was not rewritten since `kv` (the repair pass). */
  removeIfUnchanged(kv: KeyValue): Promise<boolean>;
}

function parseOwner(value: string): AllocationOwner | undefined {
  try {
    const o = JSON.parse(value) as Partial<AllocationOwner>;
    if (typeof o.uid !== 'string') return undefined;
    return { namespace: String(o.namespace ?? ''), name: String(o.name ?? ''), uid: o.uid, at: Number(o.at ?? 0) };
  } catch {
    return undefined;
  }
}

export function createAllocationKeys(backend: Backend, prefix: string): AllocationKeys {
  const keyOf = (item: string) => `${prefix}${item}`;
  return {
    prefix,
    async claim(item, owner) {
      try {
        await backend.create(keyOf(item), JSON.stringify(owner));
        return true;
      } catch (e) {
        if (!(e instanceof KeyExistsError)) throw e;
        const kv = await backend.get(keyOf(item));
        return kv !== undefined && parseOwner(kv.value)?.uid === owner.uid;
      }
    },
    async isFree(item) {
      return (await backend.get(keyOf(item))) === undefined;
    },
    async release(item, uid) {
      const kv = await backend.get(keyOf(item));
      if (!kv || parseOwner(kv.value)?.uid !== uid) return false;
      try {
        await backend.delete(kv.key, kv.modRevision);
        return true;
      } catch (e) {
        if (e instanceof KeyNotFoundError || e instanceof ConflictError) return false;
        throw e;
      }
    },
    async list() {
      const out = new Map<string, { owner: AllocationOwner | undefined; kv: KeyValue }>();
      let after: string | undefined;
      for (;;) {
        const page = await backend.list(prefix, { limit: 5000, ...(after ? { after } : {}) });
        for (const kv of page.kvs) out.set(kv.key.slice(prefix.length), { owner: parseOwner(kv.value), kv });
        if (!page.more || page.kvs.length === 0) return out;
        after = page.kvs[page.kvs.length - 1]!.key;
      }
    },
    async removeIfUnchanged(kv) {
      try {
        await backend.delete(kv.key, kv.modRevision);
        return true;
      } catch (e) {
        if (e instanceof KeyNotFoundError || e instanceof ConflictError) return false;
        throw e;
      }
    },
  };
}

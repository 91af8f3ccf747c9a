// Where a Tandem key or key prefix lives in etcd: the backend's own prefix (so several clusters share
// one etcd) in front of the key layout's image. A prefix inside one resource maps to one etcd range
// in the same order; a wider prefix (a whole API group such as RBAC's, /registry/, or everything)
// maps to several ranges whose keys must be decoded, filtered and sorted again.

import { IDENTITY_LAYOUT, type KeyLayout } from './key-layout.js';

export interface EtcdRange {
  /** first key */
  key: Buffer;
  /** end of the range (exclusive); [0] means "to the end of the keyspace" */
  end: Buffer;
}

export interface RangePlan {
  ranges: EtcdRange[];
  /**
   * One range whose keys all decode to keys under the prefix, in the same order: etcd's paging
   * (limit, start key) can be used as is. Otherwise every range is read whole and filtered.
   */
  exact: boolean;
}

/** The first key after every key starting with `prefix` (etcd's "range_end" of a prefix). */
export function prefixEnd(prefix: Buffer): Buffer {
  for (let i = prefix.length - 1; i >= 0; i--) {
    if (prefix[i]! < 0xff) {
      const end = Buffer.from(prefix.subarray(0, i + 1));
      end[i]! += 1;
      return end;
    }
  }
  return Buffer.from([0]);
}

export class KeySpace {
  private readonly root: Buffer;
  constructor(
    /** the backend's prefix in etcd ("" or "/name", never ending in "/") */
    readonly prefix: string,
    readonly layout: KeyLayout = IDENTITY_LAYOUT,
  ) {
    this.root = Buffer.from(prefix);
  }

  encode(key: string): Buffer {
    return Buffer.from(this.prefix + this.layout.toEtcd(key));
  }

  /** The Tandem key of an etcd key, or undefined for a key outside this backend's prefix. */
  decode(raw: Buffer): string | undefined {
    if (raw.length < this.root.length || !raw.subarray(0, this.root.length).equals(this.root)) return undefined;
    return this.layout.fromEtcd(raw.subarray(this.root.length).toString());
  }

  private rangeOf(etcdPrefix: string): EtcdRange {
    const key = Buffer.from(this.prefix + etcdPrefix);
    return { key: key.length === 0 ? Buffer.from([0]) : key, end: prefixEnd(key) };
  }

  /** The etcd ranges holding every Tandem key that starts with `prefix`. */
  plan(prefix: string): RangePlan {
    const table = this.layout.table;
    const inside = table.find(([t]) => prefix.startsWith(t));
    if (inside) return { ranges: [this.rangeOf(inside[1] + prefix.slice(inside[0].length))], exact: true };
    // The identity image of the prefix, plus every table row the prefix covers whose etcd prefix
    // lies outside that image; keys of the identity image that belong to other rows are filtered.
    const ranges = [this.rangeOf(prefix)];
    for (const [t, e] of table) if (t.startsWith(prefix) && !e.startsWith(prefix)) ranges.push(this.rangeOf(e));
    const strays = table.some(([t, e]) => e.startsWith(prefix) && !t.startsWith(prefix));
    const reordered = table.some(([t, e]) => t.startsWith(prefix) || e.startsWith(prefix));
    return { ranges, exact: ranges.length === 1 && !strays && !reordered };
  }

  /** One etcd range covering the whole plan (for a watch: its events are filtered by key). */
  covering(plan: RangePlan): EtcdRange {
    let { key, end } = plan.ranges[0]!;
    for (const r of plan.ranges.slice(1)) {
      if (Buffer.compare(r.key, key) < 0) key = r.key;
      const open = (b: Buffer) => b.length === 1 && b[0] === 0;
      if (open(r.end) || (!open(end) && Buffer.compare(r.end, end) > 0)) end = r.end;
    }
    return { key, end };
  }
}

// Cold values of the current state kept deflated in memory. The in-process stores (memory, sqlite)
// keep every current value as its JSON text, and at 150,000 pods that text (~4.4 KB a pod) is the
// largest single holder of the server's heap. Most of it is cold: a Running pod is written a few
// times in its first seconds and then not again for hours. A version that has not been rewritten
// for a while is replaced in the index by one whose text is deflated with a dictionary (an earlier
// value of the same resource, so the field names, the defaults and the shared parts of a
// Deployment's pods cost nothing): ~240 bytes instead of ~4,400 for a sim pod. Its `value` is
// inflated on each read (~20 µs), so only reads of cold versions pay, and a write makes the key
// hot again. Versions stay what they were: key, revisions and text are unchanged, only their
// in-memory form differs (nothing is persisted deflated).

import { inflateRawSync, deflateRawSync } from 'node:zlib';
import type { KeyValue } from './backend.js';
import type { CurrentIndex } from './current-index.js';

/** level 1 is nearly as small as 6 for these texts at half the CPU; a 16 KB window (room for the dictionary and the text) and memLevel 5 keep zlib's set-up cheap */
const ZLIB = { level: 1, memLevel: 5, windowBits: 14 };
/** texts shorter than this stay as they are: the saving would not pay for the object around it */
const MIN_CHARS = 1024;
/** a resource's dictionary: the tail of its first packed value (zlib uses at most a window's worth) */
const MAX_DICT = 8192;

/** The resource a key belongs to (/registry/<group>/<resource>/), or the key's parent for other layouts: one dictionary each. */
function resourceOf(key: string): string {
  if (key.startsWith('/registry/')) {
    const parts = key.split('/', 4);
    if (parts.length === 4) return `${parts.join('/')}/`;
  }
  return key.slice(0, key.lastIndexOf('/') + 1);
}

/** A version whose text is kept deflated; `value` (an own, enumerable accessor, so copies by spread keep it) inflates it. */
class PackedKeyValue implements KeyValue {
  declare readonly value: string;
  readonly #packed: string;
  readonly #dict: Buffer;

  constructor(
    readonly key: string,
    readonly createRevision: number,
    readonly modRevision: number,
    packed: string,
    dict: Buffer,
  ) {
    this.#packed = packed;
    this.#dict = dict;
    Object.defineProperty(this, 'value', VALUE);
    Object.freeze(this);
  }

  static text(p: PackedKeyValue): string {
    return inflateRawSync(Buffer.from(p.#packed, 'latin1'), { dictionary: p.#dict, windowBits: ZLIB.windowBits }).toString('utf8');
  }
}

const VALUE: PropertyDescriptor = {
  enumerable: true,
  get(this: PackedKeyValue) {
    return PackedKeyValue.text(this);
  },
};

interface ColdValuesStats {
  /** versions replaced by a deflated one so far */
  packed: number;
  /** their text, and what it takes deflated (chars) */
  textChars: number;
  packedChars: number;
}

export interface ColdValues {
  /** `key` was written (or read at open) at `now`: its version becomes a candidate once it is older than minAgeMs. */
  written(key: string, modRevision: number, now: number): void;
  /** Deflates up to `max` current versions written before now - minAgeMs and not since; returns how many it looked at. */
  sweep(index: CurrentIndex, now: number, max: number): number;
  /** writes waiting to get old */
  readonly pending: number;
  stats(): ColdValuesStats;
}

export function isPacked(kv: KeyValue): boolean {
  return kv instanceof PackedKeyValue;
}

export function createColdValues(minAgeMs: number): ColdValues {
  // the writes in time order (a queue: arrays with a moving head, trimmed when half is consumed)
  let keys: string[] = [];
  let revs: number[] = [];
  let times: number[] = [];
  let head = 0;
  const dicts = new Map<string, Buffer>();
  const st: ColdValuesStats = { packed: 0, textChars: 0, packedChars: 0 };

  const pack = (kv: KeyValue): KeyValue | undefined => {
    const text = kv.value;
    if (text.length < MIN_CHARS) return undefined;
    const res = resourceOf(kv.key);
    let dict = dicts.get(res);
    if (!dict) {
      dict = Buffer.from(text.slice(-MAX_DICT), 'utf8');
      dicts.set(res, dict);
    }
    const packed = deflateRawSync(text, { ...ZLIB, dictionary: dict }).toString('latin1');
    if (packed.length >= text.length / 2) return undefined;
    st.packed++;
    st.textChars += text.length;
    st.packedChars += packed.length;
    return new PackedKeyValue(kv.key, kv.createRevision, kv.modRevision, packed, dict);
  };

  return {
    written(key, modRevision, now) {
      keys.push(key);
      revs.push(modRevision);
      times.push(now);
    },
    sweep(index, now, max) {
      let n = 0;
      while (head < keys.length && n < max && (times[head] as number) <= now - minAgeMs) {
        const key = keys[head] as string;
        const rev = revs[head] as number;
        head++;
        n++;
        const kv = index.get(key);
        // rewritten since (a newer entry follows in the queue), deleted, or already packed
        if (!kv || kv.modRevision !== rev || kv instanceof PackedKeyValue) continue;
        const p = pack(kv);
        if (p) index.put(p);
      }
      if (head > 1024 && head * 2 > keys.length) {
        keys = keys.slice(head);
        revs = revs.slice(head);
        times = times.slice(head);
        head = 0;
      }
      return n;
    },
    get pending() {
      return keys.length - head;
    },
    stats: () => ({ ...st }),
  };
}

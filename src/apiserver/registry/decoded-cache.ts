// The decoded objects of recently written stored versions, so that the next update of an object
// (a pod's binding after its create, each status write after the last) copies the object instead
// of parsing its stored JSON again, and the API server's own watchers (the Node authorizer's
// graph) read it without a parse. An entry is the stored text with the object it decodes to (no
// resourceVersion); it is used only for a KeyValue whose value is that very text, so a version
// written elsewhere (another server, another store of the same backend, a conversion on read)
// is a miss and never a stale answer. Entries are shared: nothing may modify them, so the store
// hands out copies and the few read-only readers are named in peekDecoded's comment.
//
// Bounded by the stored text it holds (a decoded object takes about 2-3× its text on the heap),
// per resource, oldest use evicted first: a burst of pod writes does not push out the 5,000 Leases.

import type { AnyObject } from '../../api/object.js';
import type { KeyValue } from '../../storage/backend.js';

/** stored text kept per resource (chars): about 3,500 running pods, or the Leases of 25,000 nodes */
const BUDGET_CHARS = 16 * 1024 * 1024;

interface Entry {
  text: string;
  obj: AnyObject;
}

export interface DecodedCacheStats {
  entries: number;
  chars: number;
  hits: number;
  misses: number;
}

export class DecodedCache {
  private readonly entries = new Map<string, Entry>();
  private chars = 0;
  private hits = 0;
  private misses = 0;

  constructor(private readonly budgetChars = BUDGET_CHARS) {}

  /** The shared decoded object of `kv` (without resourceVersion), if cached. Read only. */
  peek(kv: KeyValue): AnyObject | undefined {
    const e = this.entries.get(kv.key);
    if (e === undefined || e.text !== kv.value) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    // most recently used last
    this.entries.delete(kv.key);
    this.entries.set(kv.key, e);
    return e.obj;
  }

  /** `obj` is what `text` decodes to (without resourceVersion), owned by the cache from now on. */
  remember(key: string, text: string, obj: AnyObject): void {
    this.forget(key);
    if (text.length > this.budgetChars) return;
    this.entries.set(key, { text, obj });
    this.chars += text.length;
    while (this.chars > this.budgetChars) {
      const oldest = this.entries.keys().next();
      if (oldest.done === true) break;
      this.forget(oldest.value);
    }
  }

  forget(key: string): void {
    const e = this.entries.get(key);
    if (e === undefined) return;
    this.entries.delete(key);
    this.chars -= e.text.length;
  }

  stats(): DecodedCacheStats {
    return { entries: this.entries.size, chars: this.chars, hits: this.hits, misses: this.misses };
  }
}

/** One cache per resource (storage key prefix /registry/<group>/<resource>/), shared by every store of this process. */
const caches = new Map<string, DecodedCache>();

export function decodedCacheFor(resourcePrefix: string): DecodedCache {
  let c = caches.get(resourcePrefix);
  if (c === undefined) caches.set(resourcePrefix, (c = new DecodedCache()));
  return c;
}

/** The resource prefix of a storage key: /registry/<group>/<resource>/ */
function prefixOf(key: string): string | undefined {
  let at = 0;
  for (let n = 0; n < 4; n++) {
    at = key.indexOf('/', at) + 1;
    if (at === 0) return undefined;
  }
  return key.slice(0, at);
}

/**
 * The shared decoded object of a stored version if a store of this process wrote it recently
 * (undefined otherwise: parse it). Read only, and without metadata.resourceVersion: for readers
 * that only look (the Node authorizer's graph).
 */
export function peekDecoded(kv: KeyValue): AnyObject | undefined {
  const p = prefixOf(kv.key);
  return p === undefined ? undefined : caches.get(p)?.peek(kv);
}

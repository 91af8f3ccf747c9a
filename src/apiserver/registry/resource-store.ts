// Object persistence for one served kind: keys, resourceVersions, compare-and-swap updates with
// retries, deletes with preconditions, lists and watches over the revisioned backend.

import type { KindDef } from '../../api/kind.js';
import type { AnyObject } from '../../api/object.js';
import { fillZeroFields } from '../../api/zero-fields.js';
import {
  type Backend,
  type KeyValue,
  type StorageEvent,
  type Watch,
  ConflictError,
  KeyExistsError,
  KeyNotFoundError,
} from '../../storage/backend.js';
import { alreadyExists, conflict, notFound, type Qualified } from '../../base/errors.js';
import { cloneJson } from '../../base/json-clone.js';
import { decodeStored, encodeForStorage, storedObject, withResourceVersion } from './codec.js';
import { DecodedCache, decodedCacheFor } from './decoded-cache.js';
import { listPrefix, objectKey, resourcePrefix } from './keys.js';

export interface Current {
  obj: AnyObject;
  kv: KeyValue;
}

/** Thrown by an update function to skip the write and return the current object unchanged. */
export class NoChange extends Error {
  constructor() {
    super('no change');
  }
}

/**
 * Parses a stored version into a fresh object. Lists and watches parse what they need: keeping
 * the JSON text costs a fraction of the memory of parsed objects (filters cache the few facts they
 * need); only recently written versions are kept decoded (decoded-cache.ts) for the write path.
 */
export function objectOf(kv: KeyValue): AnyObject {
  return decodeStored(kv.value, kv.modRevision);
}

/** The wire JSON of a stored version. */
export const jsonOf = (kv: KeyValue): string => withResourceVersion(kv.value, kv.modRevision);

export class ResourceStore {
  readonly q: Qualified;
  private readonly decoded: DecodedCache;
  constructor(
    readonly kind: KindDef,
    readonly backend: Backend,
  ) {
    this.q = { group: kind.group, resource: kind.plural };
    // Events are written once and rarely again: keeping them decoded would only cost memory
    this.decoded = kind.plural === 'events' ? new DecodedCache(0) : decodedCacheFor(resourcePrefix(kind));
  }

  /**
   * Keeps the decoded form of a version about to be written. Before the write, not after: the
   * caller owns the object once the write is done, and the store's watchers (which may read the
   * cache) hear of the write before the writer does. An entry is bound to its text, so one for a
   * write that then fails is never served for anything else (it is dropped anyway).
   */
  private rememberWritten(key: string, stored: string, decoded: AnyObject): void {
    this.decoded.remember(key, stored, decoded);
  }

  /** A private copy of the stored version: copied from the decoded cache when it holds that version, else parsed. */
  private objectOf(kv: KeyValue): AnyObject {
    const cached = this.decoded.peek(kv);
    if (cached === undefined) return objectOf(kv);
    const obj = cloneJson(cached);
    obj.metadata.resourceVersion = String(kv.modRevision);
    return obj;
  }

  key(namespace: string | undefined, name: string): string {
    return objectKey(this.kind, namespace, name);
  }
  prefix(namespace: string | undefined): string {
    return listPrefix(this.kind, namespace);
  }

  async getKv(namespace: string | undefined, name: string): Promise<KeyValue | undefined> {
    return this.backend.get(this.key(namespace, name));
  }

  async get(namespace: string | undefined, name: string): Promise<Current> {
    const kv = await this.getKv(namespace, name);
    if (!kv) throw notFound(this.q, name);
    return { obj: this.objectOf(kv), kv };
  }

  /**
   * Writes a new object; `obj.metadata` must be complete (name, uid, timestamps). Returns the wire
   * JSON of what was stored (the response body), and sets obj.metadata.resourceVersion.
   * `managedFieldsJson` is metadata.managedFields already serialized (see encodeForStorage).
   */
  async create(obj: AnyObject, dryRun: boolean, managedFieldsJson?: string): Promise<string> {
    const name = obj.metadata.name ?? '';
    const key = this.key(obj.metadata.namespace, name);
    // every write path ends here or in guaranteedUpdate: what upstream always writes is stored once
    fillZeroFields(this.kind.schema, obj);
    if (dryRun) {
      if (await this.backend.get(key)) throw alreadyExists(this.q, name);
      return encodeForStorage(obj, managedFieldsJson);
    }
    try {
      const stored = encodeForStorage(obj, managedFieldsJson);
      this.rememberWritten(key, stored, storedObject(obj, stored, managedFieldsJson));
      const kv = await this.backend.create(key, stored);
      obj.metadata.resourceVersion = String(kv.modRevision);
      return jsonOf(kv);
    } catch (e) {
      this.decoded.forget(key);
      if (e instanceof KeyExistsError) throw alreadyExists(this.q, name);
      throw e;
    }
  }

  /**
   * Read-modify-write with compare-and-swap. `update` receives a private copy of the current object
   * and returns the new one (or throws NoChange). After a write, `json` is the new version's wire
   * JSON (what `obj` serializes to), so that the answer needs no second serialization. It is called again when another writer got in first,
   * unless `expectedRV` pins the version the caller read (then a 409 Conflict is returned).
   */
  async guaranteedUpdate(
    namespace: string | undefined,
    name: string,
    update: (cur: AnyObject, kv: KeyValue) => AnyObject | Promise<AnyObject>,
    opts: { dryRun: boolean; expectedRV?: string | undefined },
  ): Promise<{ obj: AnyObject; changed: boolean; json?: string }> {
    const key = this.key(namespace, name);
    for (let attempt = 0; ; attempt++) {
      const kv = await this.backend.get(key);
      if (!kv) throw notFound(this.q, name);
      if (opts.expectedRV !== undefined && opts.expectedRV !== '' && opts.expectedRV !== String(kv.modRevision)) {
        throw conflict(this.q, name, 'the object has been modified; please apply your changes to the latest version and try again');
      }
      let next: AnyObject;
      try {
        next = await update(this.objectOf(kv), kv);
      } catch (e) {
        if (e instanceof NoChange) return { obj: this.objectOf(kv), changed: false };
        throw e;
      }
      fillZeroFields(this.kind.schema, next);
      const stored = encodeForStorage(next);
      if (stored === kv.value) return { obj: this.objectOf(kv), changed: false };
      if (opts.dryRun) {
        next.metadata.resourceVersion = String(kv.modRevision);
        return { obj: next, changed: true };
      }
      this.rememberWritten(key, stored, storedObject(next, stored));
      try {
        const nkv = await this.backend.update(key, stored, kv.modRevision);
        next.metadata.resourceVersion = String(nkv.modRevision);
        // the answer as a read of this version gives it (the text written, before any storage conversion)
        return { obj: next, changed: true, json: withResourceVersion(stored, nkv.modRevision) };
      } catch (e) {
        this.decoded.forget(key);
        if (e instanceof KeyNotFoundError) throw notFound(this.q, name);
        if (e instanceof ConflictError && attempt < 50) continue;
        throw e;
      }
    }
  }

  /** Removes the object now. `expectedRevision` guards against racing writers. */
  async remove(
    namespace: string | undefined,
    name: string,
    expectedRevision: number | undefined,
    dryRun: boolean,
  ): Promise<AnyObject | undefined> {
    const key = this.key(namespace, name);
    if (dryRun) {
      const kv = await this.backend.get(key);
      return kv ? this.objectOf(kv) : undefined;
    }
    try {
      const kv = await this.backend.delete(key, expectedRevision);
      const last = this.objectOf(kv);
      this.decoded.forget(key);
      return last;
    } catch (e) {
      if (e instanceof KeyNotFoundError) return undefined;
      if (e instanceof ConflictError) return undefined;
      throw e;
    }
  }

  watch(namespace: string | undefined, afterRevision: number, onEvents: (evs: StorageEvent[]) => void, onError: (e: Error) => void): Watch {
    return this.backend.watch(this.prefix(namespace), afterRevision, { onEvents, onError });
  }
}

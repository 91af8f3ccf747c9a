// An in-memory ObjectLookup and a signing key shared by the token tests (one RSA key per process:
// generating one takes tens of milliseconds).

import type { AnyObject } from '../../../../api/object.js';
import type { BindableKind, ObjectLookup } from '../lookup.js';
import { generateSigningKeyPem, signingKeyFromPem, type SigningKey } from '../signing-key.js';

export interface FakeObjects extends ObjectLookup {
  put(
    kind: BindableKind,
    obj: {
      namespace?: string;
      name: string;
      uid: string;
      deletionTimestamp?: string;
      spec?: Record<string, unknown>;
      data?: Record<string, string>;
    },
  ): void;
  remove(kind: BindableKind, namespace: string, name: string): void;
  /** number of get() calls so far */
  readonly gets: number;
}

export function createFakeObjects(): FakeObjects {
  const objs = new Map<string, AnyObject>();
  const key = (kind: string, ns: string, name: string) => `${kind}/${kind === 'Node' ? '' : ns}/${name}`;
  let gets = 0;
  return {
    get(kind, namespace, name) {
      gets++;
      return Promise.resolve(objs.get(key(kind, namespace, name)));
    },
    put(kind, o) {
      const obj: AnyObject = {
        apiVersion: 'v1',
        kind,
        metadata: {
          name: o.name,
          uid: o.uid,
          ...(kind === 'Node' ? {} : { namespace: o.namespace ?? 'default' }),
          ...(o.deletionTimestamp ? { deletionTimestamp: o.deletionTimestamp } : {}),
        },
        ...(o.spec ? { spec: o.spec } : {}),
        ...(o.data ? { data: o.data } : {}),
      };
      objs.set(key(kind, o.namespace ?? 'default', o.name), obj);
    },
    remove(kind, namespace, name) {
      objs.delete(key(kind, namespace, name));
    },
    get gets() {
      return gets;
    },
  };
}

let shared: Promise<SigningKey> | undefined;
/** A 2048-bit signing key made once per test process. */
export function testSigningKey(): Promise<SigningKey> {
  shared ??= generateSigningKeyPem().then((pem) => signingKeyFromPem(pem));
  return shared;
}

// The type of an object as a request brings it, before defaults and validation: every field may be
// missing, and a string field may hold any string. Defaults and validators read and fill this view
// of the generated types (src/api/gen/types.ts); everything after validation reads the types as they are.

import type { KubeObject } from './object.js';

export type Unvalidated<T> = T extends string
  ? string
  : T extends number
    ? number
    : T extends boolean
      ? boolean
      : T extends null | undefined
        ? T
        : T extends ReadonlyArray<infer U>
          ? Array<Unvalidated<U>>
          : T extends object
            ? string extends keyof T
              ? { [K in keyof T]: Unvalidated<T[K]> }
              : { [K in keyof T]?: Unvalidated<T[K]> }
            : T;

/** An object of kind T as a request brings it: the API server has set its metadata, the rest is unchecked. */
export type UnvalidatedObject<T extends KubeObject> = KubeObject & Unvalidated<Omit<T, 'apiVersion' | 'kind' | 'metadata'>>;

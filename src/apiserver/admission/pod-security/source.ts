// What Pod Security admission reads besides the request: a namespace's labels (every pod write
// asks, so they are parsed once per stored version) and, when a namespace starts enforcing a
// stricter level, the pods already in it. Read straight from the store, as the built-in namespace
// lifecycle admission does.

import type { Pod } from '../../../api/gen/types.js';
import type { Backend, KeyValue } from '../../../storage/backend.js';
import { decodeStored } from '../../registry/codec.js';
import { admissionReads } from '../lookups.js';

export interface PodSecuritySource {
  /** the labels of a namespace ({} when it has none); undefined when it does not exist */
  namespaceLabels(name: string): Promise<Readonly<Record<string, string>> | undefined>;
  listPods(namespace: string): Promise<Pod[]>;
}

const NO_LABELS: Readonly<Record<string, string>> = Object.freeze({});

export function createStoreSource(backend: Backend): PodSecuritySource {
  const parsed = new WeakMap<KeyValue, Readonly<Record<string, string>>>();
  const reads = admissionReads(backend);
  return {
    async namespaceLabels(name) {
      const kv = await reads.get(`/registry/core/namespaces/${name}`);
      if (!kv) return undefined;
      let labels = parsed.get(kv);
      if (!labels) {
        labels = decodeStored(kv.value, kv.modRevision).metadata.labels ?? NO_LABELS;
        parsed.set(kv, labels);
      }
      return labels;
    },
    async listPods(namespace) {
      const { kvs } = await backend.list(`/registry/core/pods/${namespace}/`);
      return kvs.map((kv) => decodeStored<Pod>(kv.value, kv.modRevision));
    },
  };
}

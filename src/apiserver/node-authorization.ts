// The Node authorizer and the NodeRestriction admission plugin, built together over one store: the
// authorizer's graph of bound pods is fed by a list and watch of the store's Pods, and the plugin
// reads the Pods and Nodes it needs straight from the store (upstream reads both from informers).

import type { Node, Pod } from '../api/gen/types.js';
import type { KindDef } from '../api/kind.js';
import type { Logger } from '../base/log.js';
import type { Backend } from '../storage/backend.js';
import type { AdmissionPlugin } from './admission/plugin.js';
import { createNodeRestriction } from './admission/node-restriction.js';
import type { Authorizer } from './auth/authorizer.js';
import { createNodeAuthorizer, startNodeGraphSource } from './auth/node/index.js';
import { decodeStored } from './registry/codec.js';
import { objectKey } from './registry/keys.js';

export interface NodeAuthorization {
  authorizer: Authorizer;
  admission: AdmissionPlugin;
  /** resolves once the graph holds every pod of the store */
  ready(): Promise<void>;
  stop(): void;
}

export function createNodeAuthorization(o: { backend: Backend; kinds: readonly KindDef[]; log?: Logger }): NodeAuthorization {
  const kindOf = (kind: string) => {
    const k = o.kinds.find((d) => d.group === '' && d.kind === kind);
    if (!k) throw new Error(`node authorization needs the core/v1 ${kind} kind`);
    return k;
  };
  const podKind = kindOf('Pod');
  const nodeKind = kindOf('Node');
  const read = async <T extends Pod | Node>(kind: KindDef, ns: string | undefined, name: string): Promise<T | undefined> => {
    const kv = await o.backend.get(objectKey(kind, ns, name));
    return kv ? (decodeStored(kv.value, kv.modRevision) as unknown as T) : undefined;
  };
  const graph = startNodeGraphSource({ backend: o.backend, podKind, ...(o.log ? { log: o.log } : {}) });
  return {
    authorizer: createNodeAuthorizer(graph),
    admission: createNodeRestriction({
      getPod: (ns, name) => read<Pod>(podKind, ns, name),
      getNode: (name) => read<Node>(nodeKind, undefined, name),
    }),
    ready: () => graph.ready(),
    stop: () => graph.stop(),
  };
}

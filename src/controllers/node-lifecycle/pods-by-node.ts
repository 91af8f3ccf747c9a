// Pods by the node they are bound to, as an index of the shared pod informer's cache: ask for the
// informer with POD_NODE_INDEXERS, then read with podsOnNode(). The function is a module-level
// constant because the factory accepts one function per index name from all its callers.

import type { Pod } from '../../api/gen/types.js';
import type { Indexer } from '../../client/index-store.js';
import type { Informer } from '../../client/informer.js';

const POD_NODE_INDEX = 'pods-by-node';
const byNodeName: Indexer<Pod> = (p) => (p.spec?.nodeName ? [p.spec.nodeName] : []);

export const POD_NODE_INDEXERS: Readonly<Record<string, Indexer<Pod>>> = { [POD_NODE_INDEX]: byNodeName };

/** The cached pods bound to `node` (the informer was asked for with POD_NODE_INDEXERS). */
export const podsOnNode = (pods: Informer<Pod>, node: string): Pod[] => pods.byIndex(POD_NODE_INDEX, node);

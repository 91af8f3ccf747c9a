// Indexes of pod caches that several components ask for on one shared informer (the factory takes
// one function per index name from all its callers, so each lives here once, as a constant).

import type { Pod } from '../api/gen/types.js';
import type { Indexer } from './index-store.js';
import type { Informer } from './informer.js';

const POD_NODE_INDEX = 'pods-by-node';
const byNodeName: Indexer<Pod> = (p) => (p.spec?.nodeName ? [p.spec.nodeName] : []);

/** Ask for the pod informer with these indexers to read podsOnNode() from it. */
export const POD_NODE_INDEXERS: Readonly<Record<string, Indexer<Pod>>> = { [POD_NODE_INDEX]: byNodeName };

/** The cached pods bound to `node`. */
export const podsOnNode = (pods: Informer<Pod>, node: string): Pod[] => pods.byIndex(POD_NODE_INDEX, node);

// Feeds the Node authorizer's graph from the store: one list of every Pod, then a watch from the
// list's revision (the API server's own informer, without the HTTP round trip). When the watch ends
// (compaction, a backend error) the pods are listed again into a fresh graph, which replaces the
// old one only once complete, so a relist never opens a window where nothing is related.

import type { Pod } from '../../../api/gen/types.js';
import type { KindDef } from '../../../api/kind.js';
import type { Logger } from '../../../base/log.js';
import type { Backend, StorageEvent, Watch } from '../../../storage/backend.js';
import { decodeStored } from '../../registry/codec.js';
import { peekDecoded } from '../../registry/decoded-cache.js';
import { listPrefix } from '../../registry/keys.js';
import { NodeGraph, type NodeGraphView, type VertexType } from './graph.js';

export interface NodeGraphSourceOptions {
  backend: Backend;
  podKind: KindDef;
  log?: Logger;
  /** pause before a relist after the watch ended (default 1 s) */
  retryMs?: number;
}

export interface NodeGraphSource extends NodeGraphView {
  /** resolves after the first complete list */
  ready(): Promise<void>;
  stop(): void;
  /** for tests and stats: pods bound to a node */
  readonly podCount: number;
}

export function startNodeGraphSource(o: NodeGraphSourceOptions): NodeGraphSource {
  const prefix = listPrefix(o.podKind, undefined);
  let graph = new NodeGraph();
  let watch: Watch | undefined;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let markReady: () => void = () => undefined;
  const readyP = new Promise<void>((r) => (markReady = r));

  const apply = (g: NodeGraph, events: StorageEvent[]) => {
    for (const e of events) {
      if (e.type === 'delete') {
        const old = decodeStored<Pod>(e.prev.value, e.prev.modRevision);
        g.deletePod(old.metadata.namespace ?? '', old.metadata.name ?? '');
      } else {
        // the pod this server has just written is usually still decoded (read only here)
        g.setPod((peekDecoded(e.kv) as unknown as Pod | undefined) ?? decodeStored<Pod>(e.kv.value, e.kv.modRevision));
      }
    }
  };

  async function sync(): Promise<void> {
    const fresh = new NodeGraph();
    let after: string | undefined;
    let revision = 0;
    for (;;) {
      const page = await o.backend.list(prefix, { limit: 1000, ...(after ? { after } : {}), ...(revision ? { revision } : {}) });
      revision = page.revision;
      for (const kv of page.kvs) fresh.setPod(decodeStored<Pod>(kv.value, kv.modRevision));
      if (!page.more || page.kvs.length === 0) break;
      after = page.kvs[page.kvs.length - 1]!.key;
    }
    if (stopped) return;
    graph = fresh;
    watch = o.backend.watch(prefix, revision, {
      onEvents: (events) => apply(fresh, events),
      onError: (err) => {
        o.log?.warn('node authorizer: pod watch ended, listing again', { error: err.message });
        restart();
      },
    });
    markReady();
  }

  function restart(): void {
    watch?.cancel();
    watch = undefined;
    if (stopped) return;
    timer = setTimeout(run, o.retryMs ?? 1000);
    timer.unref();
  }

  function run(): void {
    sync().catch((e: unknown) => {
      o.log?.warn('node authorizer: listing pods failed', { error: e instanceof Error ? e.message : String(e) });
      restart();
    });
  }
  run();

  return {
    related: (node: string, type: VertexType, namespace: string, name: string) => graph.related(node, type, namespace, name),
    ready: () => readyP,
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      watch?.cancel();
    },
    get podCount() {
      return graph.podCount;
    },
  };
}

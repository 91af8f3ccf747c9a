// Keeps a PolicyIndex equal to the store: one list of the RBAC prefix, then a watch from the list's
// revision. When the watch ends (the store compacted past it, a slow watcher was dropped, the store
// restarted) the index relists and replaces its content, keeping the old content meanwhile so that
// authorization never sees an empty policy; list failures are retried with a growing delay.

import type { Logger } from '../../../base/log.js';
import { ClosedError, type Backend, type StorageEvent, type Watch } from '../../../storage/backend.js';
import { PolicyIndex, RBAC_PREFIX } from './policy-index.js';

export interface PolicyFeed {
  index: PolicyIndex;
  /** Resolves after the first full list is in the index. */
  ready(): Promise<void>;
  stop(): void;
}

// One watch per kind rather than one of the whole group: on etcd the group is several key ranges
// (upstream's layout), and a watch of each is one etcd watch; events of one object stay in order.
const RBAC_KIND_PREFIXES = ['roles/', 'rolebindings/', 'clusterroles/', 'clusterrolebindings/'].map((r) => RBAC_PREFIX + r);

export function startPolicyFeed(backend: Backend, log?: Logger): PolicyFeed {
  const index = new PolicyIndex();
  let watches: Watch[] = [];
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let delay = 50;
  let markReady!: () => void;
  const readyP = new Promise<void>((r) => (markReady = r));

  const retry = (why: unknown) => {
    for (const w of watches) w.cancel();
    watches = [];
    if (stopped || why instanceof ClosedError) return;
    log?.warn('RBAC policy watch ended, relisting', { error: why instanceof Error ? why.message : String(why) });
    timer = setTimeout(() => void sync(), delay);
    timer.unref();
    delay = Math.min(delay * 2, 5000);
  };

  async function sync(): Promise<void> {
    if (stopped) return;
    try {
      const { kvs, revision } = await backend.list(RBAC_PREFIX);
      if (stopped) return;
      index.replaceAll(kvs, revision);
      markReady();
      const handlers = {
        onEvents(events: StorageEvent[]) {
          for (const ev of events) index.apply(ev.kv.key, ev.type === 'delete' ? undefined : ev.kv.value, ev.kv.modRevision);
          delay = 50;
        },
        onError: retry,
      };
      for (const prefix of RBAC_KIND_PREFIXES) watches.push(backend.watch(prefix, revision, handlers));
    } catch (e) {
      retry(e);
    }
  }
  void sync();
  return {
    index,
    ready: () => readyP,
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      for (const w of watches) w.cancel();
      markReady();
    },
  };
}

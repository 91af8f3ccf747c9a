// Keeps a PolicyIndex equal to the store: one list of the RBAC prefix, then a watch from the list's
// revision. When the watch ends (the store compacted past it, a slow watcher was dropped, the store
// restarted) the index relists and replaces its content, keeping the old content meanwhile so that
// authorization never sees an empty policy; list failures are retried with a growing delay.

import type { Logger } from '../../../base/log.js';
import { ClosedError, type Backend, type Watch } from '../../../storage/backend.js';
import { PolicyIndex, RBAC_PREFIX } from './policy-index.js';

export interface PolicyFeed {
  index: PolicyIndex;
  /** Resolves after the first full list is in the index. */
  ready(): Promise<void>;
  stop(): void;
}

export function startPolicyFeed(backend: Backend, log?: Logger): PolicyFeed {
  const index = new PolicyIndex();
  let watch: Watch | undefined;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let delay = 50;
  let markReady!: () => void;
  const readyP = new Promise<void>((r) => (markReady = r));

  const retry = (why: unknown) => {
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
      watch = backend.watch(RBAC_PREFIX, revision, {
        onEvents(events) {
          for (const ev of events) index.apply(ev.kv.key, ev.type === 'delete' ? undefined : ev.kv.value, ev.kv.modRevision);
          delay = 50;
        },
        onError: retry,
      });
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
      watch?.cancel();
      markReady();
    },
  };
}

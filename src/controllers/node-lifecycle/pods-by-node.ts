// An index of pods by the node they are bound to, kept by this module's own informer handlers (so it
// works on a shared pod informer whoever created it).

import type { Pod } from '../../api/gen/types.js';
import type { Informer } from '../../client/informer.js';
import { objectKey } from '../../client/object-key.js';

export interface PodsByNode {
  on(node: string): Pod[];
}

export function createPodsByNode(pods: Informer<Pod>, onChange?: (node: string, old: Pod | undefined, pod: Pod | undefined) => void): PodsByNode {
  const index = new Map<string, Set<string>>();
  const put = (p: Pod) => {
    const n = p.spec?.nodeName;
    if (!n) return;
    let s = index.get(n);
    if (!s) index.set(n, (s = new Set()));
    s.add(objectKey(p));
  };
  const drop = (p: Pod) => {
    const n = p.spec?.nodeName;
    const s = n ? index.get(n) : undefined;
    if (!n || !s) return;
    s.delete(objectKey(p));
    if (s.size === 0) index.delete(n);
  };
  pods.onAdd((p) => { put(p); if (p.spec?.nodeName) onChange?.(p.spec.nodeName, undefined, p); });
  pods.onUpdate((old, p) => { drop(old); put(p); if (p.spec?.nodeName) onChange?.(p.spec.nodeName, old, p); });
  pods.onDelete((p) => { drop(p); if (p.spec?.nodeName) onChange?.(p.spec.nodeName, p, undefined); });
  return {
    on(node) {
      const out: Pod[] = [];
      for (const k of index.get(node) ?? []) { const p = pods.get(k); if (p) out.push(p); }
      return out;
    },
  };
}

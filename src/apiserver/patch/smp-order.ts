// `$setElementOrder/<field>` for strategic merge patch: items named in the order list take that
// order; items the order does not name keep their place relative to the others as they stood in
// the server's list (a stable merge of the two sequences by server position).

import type { Json } from '../../api/object.js';
import { isObject } from './shape.js';

function keyOf(item: Json, mergeKey: string | undefined): string {
  if (mergeKey && isObject(item)) return JSON.stringify(item[mergeKey] ?? null);
  return JSON.stringify(item);
}

/** Reorders `merged` per `order`; `server` is the list as it was before the patch. */
export function reorderList(merged: Json[], order: Json[], server: Json[], mergeKey: string | undefined): Json[] {
  const orderPos = new Map<string, number>();
  order.forEach((o, i) => {
    const k = keyOf(o, mergeKey);
    if (!orderPos.has(k)) orderPos.set(k, i);
  });
  const serverPos = new Map<string, number>();
  server.forEach((s, i) => {
    const k = keyOf(s, mergeKey);
    if (!serverPos.has(k)) serverPos.set(k, i);
  });
  const named: { item: Json; key: string; pos: number }[] = [];
  const others: { item: Json; key: string }[] = [];
  for (const item of merged) {
    const key = keyOf(item, mergeKey);
    const pos = orderPos.get(key);
    if (pos === undefined) others.push({ item, key });
    else named.push({ item, key, pos });
  }
  named.sort((a, b) => a.pos - b.pos);
  // The unnamed items come from the server only; keep them in server order.
  others.sort((a, b) => (serverPos.get(a.key) ?? Infinity) - (serverPos.get(b.key) ?? Infinity));
  const out: Json[] = [];
  let i = 0;
  let j = 0;
  while (i < named.length || j < others.length) {
    const l = named[i];
    const r = others[j];
    if (!l) {
      out.push(r!.item);
      j++;
      continue;
    }
    if (!r) {
      out.push(l.item);
      i++;
      continue;
    }
    const li = serverPos.get(l.key);
    const ri = serverPos.get(r.key);
    if (li !== undefined && ri !== undefined && ri < li) {
      out.push(r.item);
      j++;
    } else {
      out.push(l.item);
      i++;
    }
  }
  return out;
}

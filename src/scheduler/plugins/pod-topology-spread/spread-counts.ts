// Incremental per-domain counts of matching pods for topology spread constraints. Counting from
// scratch walks every node and every pod for every pod scheduled; instead the counts of one
// (namespace, constraints, node affinity, tolerations) combination are kept between scheduling
// cycles, and only nodes whose NodeInfo.generation changed (a pod added or removed, the node
// updated) are re-counted. Consecutive pods of one workload share the same key.

import type { LabelMatcher } from '../../../base/label-selector.js';
import type { NodeInfo } from '../../framework/node-info.js';

interface SpreadKeyPart {
  key: string;
  matcher: LabelMatcher;
}

interface NodeRec {
  gen: number;
  epoch: number;
  eligible: boolean;
  values: string[];
  n: number[];
}
interface Domain {
  count: number;
  nodes: number;
}
interface Cache {
  recs: Map<NodeInfo, NodeRec>;
  totals: Map<string, Domain>[];
  epoch: number;
}

const MAX_CACHES = 32;
const caches = new Map<string, Cache>();

export interface CountInput {
  cacheKey: string;
  namespace: string;
  constraints: readonly SpreadKeyPart[];
  nodes: readonly NodeInfo[];
  /** Whether a node's domains count at all (affinity / taint policies). Must depend only on the node and the cache key. */
  eligible(node: NodeInfo): boolean;
}

function countOnNode(node: NodeInfo, ns: string, m: LabelMatcher): number {
  let n = 0;
  if (node.pods.size === 0) return 0;
  for (const p of node.pods.values()) if (p.namespace === ns && !p.terminating && m.matches(p.labels)) n++;
  return n;
}

function apply(c: Cache, rec: NodeRec, sign: 1 | -1): void {
  if (!rec.eligible) return;
  for (let i = 0; i < rec.values.length; i++) {
    const totals = c.totals[i] as Map<string, Domain>;
    const v = rec.values[i] as string;
    let d = totals.get(v);
    if (!d) {
      d = { count: 0, nodes: 0 };
      totals.set(v, d);
    }
    d.count += sign * (rec.n[i] as number);
    d.nodes += sign;
    if (d.nodes === 0) totals.delete(v);
  }
}

/** Per constraint: domain value -> matching pods, over the eligible nodes that carry every key. */
export function spreadCounts(input: CountInput): Map<string, number>[] {
  let c = caches.get(input.cacheKey);
  if (!c) {
    if (caches.size >= MAX_CACHES) caches.delete(caches.keys().next().value as string);
    c = { recs: new Map(), totals: input.constraints.map(() => new Map()), epoch: 0 };
    caches.set(input.cacheKey, c);
  }
  const epoch = ++c.epoch;
  for (const node of input.nodes) {
    const rec = c.recs.get(node);
    if (rec && rec.gen === node.generation) {
      rec.epoch = epoch;
      continue;
    }
    if (rec) apply(c, rec, -1);
    const values: string[] = [];
    let eligible = true;
    for (const k of input.constraints) {
      const v = node.labels[k.key];
      if (v === undefined) {
        eligible = false;
        break;
      }
      values.push(v);
    }
    if (eligible) eligible = input.eligible(node);
    const next: NodeRec = {
      gen: node.generation,
      epoch,
      eligible,
      values,
      n: eligible ? input.constraints.map((k) => countOnNode(node, input.namespace, k.matcher)) : [],
    };
    apply(c, next, 1);
    c.recs.set(node, next);
  }
  if (c.recs.size !== input.nodes.length) {
    for (const [node, rec] of c.recs)
      if (rec.epoch !== epoch) {
        apply(c, rec, -1);
        c.recs.delete(node);
      }
  }
  return c.totals.map((t) => {
    const m = new Map<string, number>();
    for (const [v, d] of t) m.set(v, d.count);
    return m;
  });
}

// The Node authorizer's graph: which node each bound pod runs on and what the pod refers to, kept
// as reference counts per (type, namespace, name) and node, so a request's question ("may node n1
// read secret default/s?") is two map lookups. Upstream keeps a general graph with a destination
// index for the same answer; pods are the only edges here (PersistentVolumes, VolumeAttachments and
// ResourceClaims are not served by Tandem).

import type { Pod } from '../../../api/gen/types.js';
import { podRefs } from './pod-refs.js';

export type VertexType = 'secret' | 'configmap' | 'pvc' | 'serviceaccount' | 'pod';

export interface NodeGraphView {
  /** true when a pod bound to `node` refers to the object (a pod: is bound to it) */
  related(node: string, type: VertexType, namespace: string, name: string): boolean;
}

/** The annotation of a static pod's mirror (upstream's MirrorPodAnnotationKey). */
export const MIRROR_POD_ANNOTATION = 'kubernetes.io/config.mirror';

interface PodEntry {
  node: string;
  keys: string[];
}

const keyOf = (type: VertexType, namespace: string, name: string) => `${type}\u0000${namespace}\u0000${name}`;

export class NodeGraph implements NodeGraphView {
  /** pod namespace/name → its node and the keys it counted */
  private readonly pods = new Map<string, PodEntry>();
  /** object key → node → number of that node's pods referring to it */
  private readonly refs = new Map<string, Map<string, number>>();

  get podCount(): number {
    return this.pods.size;
  }

  /** Adds or replaces a pod; an unbound pod (no spec.nodeName) only removes what was there. */
  setPod(pod: Pod): void {
    const ns = pod.metadata.namespace ?? '';
    const name = pod.metadata.name ?? '';
    const node = pod.spec?.nodeName;
    const id = `${ns}/${name}`;
    if (!node) {
      this.deletePod(ns, name);
      return;
    }
    const keys = [keyOf('pod', ns, name)];
    // a mirror pod grants nothing beyond itself: a node must never give itself rights by creating a pod
    if (pod.metadata.annotations?.[MIRROR_POD_ANNOTATION] === undefined) {
      const r = podRefs(pod);
      if (r.serviceAccount) keys.push(keyOf('serviceaccount', ns, r.serviceAccount));
      for (const s of r.secrets) keys.push(keyOf('secret', ns, s));
      for (const c of r.configMaps) keys.push(keyOf('configmap', ns, c));
      for (const c of r.pvcs) keys.push(keyOf('pvc', ns, c));
    }
    const old = this.pods.get(id);
    if (old && old.node === node && sameKeys(old.keys, keys)) return;
    if (old) this.uncount(old);
    const entry = { node, keys };
    this.pods.set(id, entry);
    for (const k of keys) {
      let byNode = this.refs.get(k);
      if (!byNode) this.refs.set(k, (byNode = new Map()));
      byNode.set(node, (byNode.get(node) ?? 0) + 1);
    }
  }

  deletePod(namespace: string, name: string): void {
    const id = `${namespace}/${name}`;
    const old = this.pods.get(id);
    if (!old) return;
    this.pods.delete(id);
    this.uncount(old);
  }

  related(node: string, type: VertexType, namespace: string, name: string): boolean {
    return (this.refs.get(keyOf(type, namespace, name))?.get(node) ?? 0) > 0;
  }

  private uncount(e: PodEntry): void {
    for (const k of e.keys) {
      const byNode = this.refs.get(k);
      if (!byNode) continue;
      const n = (byNode.get(e.node) ?? 0) - 1;
      if (n > 0) byNode.set(e.node, n);
      else {
        byNode.delete(e.node);
        if (byNode.size === 0) this.refs.delete(k);
      }
    }
  }
}

function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((k, i) => k === b[i]);
}

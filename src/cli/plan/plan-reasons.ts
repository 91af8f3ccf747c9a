// Why a workload could not run anywhere after the upgrade, and what would fix it, in plain words:
// the per-node reasons come from the isolation rules (podIsolationOnHost), grouped by reason; the
// fixes are the levers a cluster owner has (Hyper-V on a node, a rebuilt image, a node left at its
// build, a pin or a build label removed).

import type { Pod } from '../../api/gen/types.js';
import {
  entryFor,
  podIsolationOnHost,
  type ImagePlatforms,
  type IsolationPin,
  type PodIsolationVerdict,
} from '../../api/scheduling/windows-pod-isolation.js';
import { parseWindowsVersion, type WindowsVersion } from '../../api/scheduling/windows-isolation.js';
import { HANDLER_WINDOWS_HYPERV, LABEL_WINDOWS_BUILD } from '../../api/well-known.js';
import type { AfterNode } from './plan-nodes.js';
import { buildText } from './plan-scope.js';

/**
 * A sentence about some nodes, kept apart from them so that the pods of one workload (a DaemonSet's,
 * one per node) merge into one sentence naming all their nodes. `{nodes}` marks where the names go;
 * without it they follow in parentheses.
 */
export interface Phrase {
  text: string;
  nodes?: readonly string[];
}

export interface Explanation {
  reason: Phrase[];
  fixes: Phrase[];
}

/** `a, b, c and 4 more` */
function nodeList(names: readonly string[], max = 3): string {
  if (names.length <= max) return names.join(', ');
  return `${names.slice(0, max).join(', ')} and ${names.length - max} more`;
}

export function renderPhrase(p: Phrase): string {
  if (!p.nodes) return p.text;
  return p.text.includes('{nodes}') ? p.text.replace('{nodes}', nodeList(p.nodes)) : `${p.text} (${nodeList(p.nodes)})`;
}

/** The phrases of both, one per text, with their nodes joined. */
export function mergePhrases(a: readonly Phrase[], b: readonly Phrase[]): Phrase[] {
  const out = new Map<string, Phrase>();
  for (const p of [...a, ...b]) {
    const had = out.get(p.text);
    const nodes = had?.nodes || p.nodes ? [...new Set([...(had?.nodes ?? []), ...(p.nodes ?? [])])].sort() : undefined;
    out.set(p.text, nodes ? { text: p.text, nodes } : { text: p.text });
  }
  return [...out.values()];
}

const said = (text: string): Phrase => ({ text });

/** The build a pod's node selector or required affinity asks for by the Windows build label, if any. */
function buildLabelAsked(pod: Pod): string | undefined {
  const sel = pod.spec?.nodeSelector?.[LABEL_WINDOWS_BUILD];
  if (sel !== undefined) return sel;
  const terms = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
  for (const t of terms)
    for (const e of t.matchExpressions ?? []) if (e.key === LABEL_WINDOWS_BUILD) return (e.values ?? []).join(', ') || e.operator;
  return undefined;
}

/** No Windows node admits the pod (selector, affinity, taints, cordon) once the selected nodes run `to`. */
export function noAdmittedNode(pod: Pod, windowsNodes: number): Explanation {
  const asked = buildLabelAsked(pod);
  const base = `after the upgrade none of the ${windowsNodes} Windows node(s) passes the pod's node selector, affinity and tolerations`;
  if (asked !== undefined)
    return {
      reason: [said(`${base}: it asks for ${LABEL_WINDOWS_BUILD} ${asked}`)],
      fixes: [
        said(`drop the ${LABEL_WINDOWS_BUILD} node selector or affinity: the isolation autopilot places the pod by its image's build`),
        said(`leave a node at ${asked} out of the upgrade`),
      ],
    };
  return {
    reason: [said(base)],
    fixes: [said('leave a node the pod selects out of the upgrade, or relax its node selector, affinity or tolerations')],
  };
}

interface CannotRunInput {
  /** the image entries considered, per image */
  images: readonly ImagePlatforms[];
  /** the whole index of each image (same order), for the hint that it already has the new build */
  indexes: readonly ImagePlatforms[];
  candidates: readonly AfterNode[];
  verdictOn: (n: AfterNode) => PodIsolationVerdict;
  pin: IsolationPin | undefined;
  to: WindowsVersion;
  fromImageIndex: boolean;
  /** the builds the upgraded nodes run today */
  buildsBefore: ReadonlySet<string>;
}

/** Every admitted node refuses the pod: the reasons, grouped, and the fixes. */
export function cannotRun(x: CannotRunInput): Explanation {
  const byReason = new Map<string, string[]>();
  for (const n of x.candidates) {
    const r = x.verdictOn(n).reason;
    byReason.set(r, [...(byReason.get(r) ?? []), n.host.name]);
  }
  const reason = [...byReason].map(([text, nodes]) => ({ text, nodes }));
  const fixes: Phrase[] = [];
  const to = buildText(x.to);

  if (x.pin?.isolation !== 'process') {
    const couldHv = x.candidates.filter(
      (n) => !n.host.hyperv && podIsolationOnHost(x.images, { ...n.host, hyperv: true }, x.pin).isolation,
    );
    if (couldHv.length)
      fixes.push({
        text: `enable Hyper-V isolation (the ${HANDLER_WINDOWS_HYPERV} handler) on {nodes}`,
        nodes: couldHv.map((n) => n.host.name),
      });
  } else {
    const hv = x.candidates.filter((n) => podIsolationOnHost(x.images, n.host, undefined).isolation === 'hyperv');
    if (hv.length)
      fixes.push({
        text: `remove the process-isolation pin (${x.pin.by}): Hyper-V isolation would run it on {nodes}`,
        nodes: hv.map((n) => n.host.name),
      });
  }

  const target = x.candidates.find((n) => n.upgraded)?.host ?? x.candidates[0]?.host;
  if (target) {
    const onNew = { ...target, build: x.to, hyperv: false };
    const rebuild: string[] = [];
    x.images.forEach((img, i) => {
      if (entryFor(img.platforms, onNew, 'process')) return;
      const whole = x.indexes[i];
      if (!x.fromImageIndex && whole && entryFor(whole.platforms, onNew, 'process'))
        fixes.push(
          said(
            `the index of ${img.image} already offers Windows ${to}: a fresh pull on an upgraded node takes it (plan with --from-image-index)`,
          ),
        );
      else rebuild.push(img.image);
    });
    if (rebuild.length) fixes.push(said(`rebuild ${rebuild.join(', ')} for Windows ${to}`));
  }

  const kept = new Set<string>();
  for (const img of x.images)
    for (const e of img.platforms) {
      const v = parseWindowsVersion(e.osVersion ?? '');
      const b = v && buildText(v);
      if (b && x.buildsBefore.has(b) && b !== to) kept.add(b);
    }
  for (const b of kept) fixes.push(said(`leave a node at ${b} out of the upgrade`));
  return { reason, fixes };
}

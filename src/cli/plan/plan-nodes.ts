// The fleet as it would be after the upgrade: every Windows node with the build it would run (the
// selected nodes at --to-build, the others as they are), the labels, taints and cordon the
// scheduler would see, and which of them a pod's node selector, affinity and tolerations admit.
// The selected nodes come back from their upgrade with the new build label and without the
// lifecycle taints (cordon, not-ready, unreachable) a drain and a reboot put on them.

import type { Node, Pod, Taint } from '../../api/gen/types.js';
import { matchesRequired, requiredNodeAffinity } from '../../api/scheduling/node-affinity.js';
import { firstUntolerated, isTolerated } from '../../api/scheduling/tolerations.js';
import { windowsHostOf, type WindowsHost } from '../../api/scheduling/windows-pod-isolation.js';
import { formatWindowsVersion, type WindowsVersion } from '../../api/scheduling/windows-isolation.js';
import { LABEL_WINDOWS_BUILD, TAINT_NOT_READY, TAINT_UNREACHABLE, TAINT_UNSCHEDULABLE } from '../../api/well-known.js';
import { buildText } from './plan-scope.js';

/** A Windows node after the upgrade. */
export interface AfterNode {
  host: WindowsHost;
  /** what the isolation rules see of it (build with revision, architecture, Hyper-V): nodes with one key get one verdict */
  key: string;
  labels: Readonly<Record<string, string>>;
  taints: readonly Taint[];
  cordoned: boolean;
  /** one of the nodes being upgraded */
  upgraded: boolean;
}

const LIFECYCLE_TAINTS = new Set([TAINT_UNSCHEDULABLE, TAINT_NOT_READY, TAINT_UNREACHABLE]);
const HARD_EFFECTS = ['NoSchedule', 'NoExecute'];
const UNSCHEDULABLE_TAINT: Taint = { key: TAINT_UNSCHEDULABLE, effect: 'NoSchedule' };

/** What the isolation rules see of a host: equal keys, equal verdicts. */
export const hostKey = (h: WindowsHost): string => `${formatWindowsVersion(h.build)}|${h.architecture}|${h.hyperv}`;

/** Every Windows node with a build, as it would be once the `upgraded` ones run `to`. */
export function nodesAfter(nodes: readonly Node[], upgraded: ReadonlySet<string>, to: WindowsVersion): AfterNode[] {
  const out: AfterNode[] = [];
  for (const n of nodes) {
    const host = windowsHostOf(n);
    if (!host) continue;
    const labels = n.metadata.labels ?? {};
    const taints = n.spec?.taints ?? [];
    if (upgraded.has(host.name)) {
      const after = { ...host, build: to };
      out.push({
        host: after,
        key: hostKey(after),
        labels: { ...labels, [LABEL_WINDOWS_BUILD]: buildText(to) },
        taints: taints.filter((t) => !LIFECYCLE_TAINTS.has(t.key)),
        cordoned: false,
        upgraded: true,
      });
    } else {
      out.push({ host, key: hostKey(host), labels, taints, cordoned: n.spec?.unschedulable === true, upgraded: false });
    }
  }
  return out;
}

/** The nodes among `after` that the pod's node selector, required node affinity, tolerations and the cordon admit. */
export function admittedNodes(pod: Pod, after: readonly AfterNode[]): AfterNode[] {
  const affinity = requiredNodeAffinity(pod.spec);
  const tolerations = pod.spec?.tolerations;
  return after.filter(
    (n) =>
      matchesRequired(affinity, n.labels, n.host.name) &&
      !firstUntolerated(n.taints, tolerations, HARD_EFFECTS) &&
      (!n.cordoned || isTolerated(tolerations, UNSCHEDULABLE_TAINT)),
  );
}

// What `tandem plan upgrade` plans for: the flags checked (a Windows build, a label selector), the
// nodes the selector picks (Windows nodes with a build, or a clear error), and the pods on them
// that the isolation rules touch, grouped by the workload that would recreate them. Pure: the
// command (plan-command.ts) reads the objects, this file and plan-upgrade.ts decide.

import { isHostProcessPod } from '../../api/kinds/core/pod/validate-os.js';
import type { Node, ObjectMeta, OwnerReference, Pod, PodTemplateSpec, RuntimeClass } from '../../api/gen/types.js';
import { podOS } from '../../api/kinds/core/pod/os.js';
import { windowsHostOf, type WindowsHost } from '../../api/scheduling/windows-pod-isolation.js';
import { formatWindowsVersion, parseWindowsVersion, type WindowsVersion } from '../../api/scheduling/windows-isolation.js';
import { HANDLER_PROCESS, LABEL_OS } from '../../api/well-known.js';
import { parseLabelSelector, type LabelMatcher } from '../../base/label-selector.js';

/** Bad flags or a selection that cannot be planned: the message says what is wrong (exit code 1). */
export class PlanInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PlanInputError';
  }
}

/** The oldest build that runs Windows containers (Windows Server 2016). */
const FIRST_CONTAINER_BUILD = 14393;

/** `--to-build`: a Windows version (major.minor.build[.revision]) of a build that runs containers. */
export function parseToBuild(text: string | undefined): WindowsVersion {
  if (text === undefined || text === '')
    throw new PlanInputError('--to-build is required: the Windows build the nodes will run, e.g. 10.0.26100 (Windows Server 2025)');
  const v = parseWindowsVersion(text);
  if (!v || v.major !== 10 || v.minor !== 0 || v.build < FIRST_CONTAINER_BUILD)
    throw new PlanInputError(
      `--to-build ${JSON.stringify(text)} is not a Windows version that runs containers: give major.minor.build, ` +
        `e.g. 10.0.26100 (Windows Server 2025), 10.0.20348 (2022) or 10.0.17763 (2019)`,
    );
  return v;
}

/** `--nodes`: a label selector in the string form kubectl's `-l` takes. */
export function parseNodeSelector(text: string | undefined): LabelMatcher {
  if (text === undefined) throw new PlanInputError('--nodes is required: a label selector of the nodes to upgrade, e.g. pool=win2019');
  try {
    return parseLabelSelector(text);
  } catch (e) {
    throw new PlanInputError(`--nodes ${JSON.stringify(text)} is not a label selector: ${e instanceof Error ? e.message : String(e)}`);
  }
}

const isWindowsNode = (n: Node) => (n.metadata.labels?.[LABEL_OS] ?? n.status?.nodeInfo?.operatingSystem) === 'windows';

/** The nodes the selector picks, each a Windows host with a build; anything else is a PlanInputError. */
export function selectNodes(
  nodes: readonly Node[],
  selector: LabelMatcher,
  selectorText: string,
): Array<{ node: Node; host: WindowsHost }> {
  const picked = nodes.filter((n) => selector.matches(n.metadata.labels ?? {}));
  if (picked.length === 0)
    throw new PlanInputError(`--nodes ${JSON.stringify(selectorText)} matches none of the cluster's ${nodes.length} node(s)`);
  const notWindows = picked.filter((n) => !isWindowsNode(n));
  if (notWindows.length > 0) {
    const list = notWindows.map((n) => `${n.metadata.name ?? ''} (${n.metadata.labels?.[LABEL_OS] ?? 'no kubernetes.io/os label'})`);
    throw new PlanInputError(
      `--nodes ${JSON.stringify(selectorText)} selects node(s) that are not Windows nodes: ${list.join(', ')}; ` +
        `only Windows nodes have a build to upgrade (narrow the selector, e.g. add ${LABEL_OS}=windows)`,
    );
  }
  return picked.map((node) => {
    const host = windowsHostOf(node);
    if (!host)
      throw new PlanInputError(
        `node ${node.metadata.name ?? ''} is a Windows node without a build: neither its label node.kubernetes.io/windows-build ` +
          `nor status.nodeInfo.kernelVersion names one`,
      );
    return { node, host };
  });
}

/** A pod that runs on a node now and would be recreated (or lost) when the node is upgraded. */
export function isActivePod(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return !!pod.spec?.nodeName && phase !== 'Succeeded' && phase !== 'Failed' && !pod.metadata.deletionTimestamp;
}

/**
 * Why a pod on a Windows node has no container isolation to decide (a HostProcess pod, the native
 * process runtime, or a Linux pod), or undefined when the isolation rules apply to it.
 */
export function exemptReason(pod: Pod, runtimeClass: RuntimeClass | undefined): string | undefined {
  if (runtimeClass?.handler === HANDLER_PROCESS) return 'native process runtime';
  if (pod.spec && isHostProcessPod(pod.spec)) return 'HostProcess';
  if (podOS(pod.spec, runtimeClass?.handler) === 'linux') return 'Linux';
  return undefined;
}

/** An object that owns pods: a ReplicaSet, DaemonSet, StatefulSet or Job as the API returns it. */
export interface WorkloadObject {
  kind: string;
  metadata: ObjectMeta;
  spec?: { template?: PodTemplateSpec };
}

/** What recreates a pod: its Deployment (through the ReplicaSet), DaemonSet, StatefulSet, Job, or the pod itself. */
export interface WorkloadRef {
  namespace: string;
  kind: string;
  name: string;
  /** the pod template new pods come from (undefined for a bare pod, or an owner that could not be read) */
  template?: PodTemplateSpec;
}

const controllerOf = (meta: ObjectMeta): OwnerReference | undefined => meta.ownerReferences?.find((r) => r.controller === true);

const ownerKey = (kind: string, ns: string, name: string) => `${kind}/${ns}/${name}`;

/** An index of owners by kind, namespace and name; the uid is checked when both sides have one. */
export function indexOwners(owners: readonly WorkloadObject[]): (ns: string, ref: OwnerReference) => WorkloadObject | undefined {
  const byKey = new Map(owners.map((o) => [ownerKey(o.kind, o.metadata.namespace ?? '', o.metadata.name ?? ''), o]));
  return (ns, ref) => {
    const o = byKey.get(ownerKey(ref.kind, ns, ref.name));
    return o && (!ref.uid || !o.metadata.uid || ref.uid === o.metadata.uid) ? o : undefined;
  };
}

/** The owners a command must read to group these pods: each controller reference once. */
export function ownersToRead(pods: readonly Pod[]): Array<{ namespace: string; kind: string; name: string }> {
  const out = new Map<string, { namespace: string; kind: string; name: string }>();
  for (const p of pods) {
    const ref = controllerOf(p.metadata);
    if (!ref) continue;
    const namespace = p.metadata.namespace ?? 'default';
    out.set(ownerKey(ref.kind, namespace, ref.name), { namespace, kind: ref.kind, name: ref.name });
  }
  return [...out.values()];
}

/** The workload that recreates a pod: a ReplicaSet's Deployment when it has one. */
export function workloadOf(pod: Pod, owner: (ns: string, ref: OwnerReference) => WorkloadObject | undefined): WorkloadRef {
  const namespace = pod.metadata.namespace ?? 'default';
  const ref = controllerOf(pod.metadata);
  if (!ref) return { namespace, kind: 'Pod', name: pod.metadata.name ?? '' };
  const obj = owner(namespace, ref);
  const template = obj?.spec?.template;
  const withTemplate = (kind: string, name: string): WorkloadRef => ({ namespace, kind, name, ...(template ? { template } : {}) });
  if (ref.kind === 'ReplicaSet' && obj) {
    const up = controllerOf(obj.metadata);
    if (up?.kind === 'Deployment') return withTemplate('Deployment', up.name);
  }
  return withTemplate(ref.kind, ref.name);
}

/** `10.0.17763` (the build without its revision), as the summary and the columns print builds. */
export const buildText = (v: WindowsVersion): string => formatWindowsVersion({ ...v, revision: undefined });

// WindowsIsolation (Tandem's isolation autopilot): a Windows pod lands only where its images can run,
// process-isolated where their Windows build allows it, else Hyper-V-isolated where the node offers
// runhcs-wcow-hypervisor, never where an image is newer than the host. The rules are
// api/scheduling/windows-pod-isolation.ts; this plugin applies them per node:
// - PreFilter reads the images' platforms without waiting (Handle.imageFacts); facts not known yet
//   answer Pending (the pod is parked until they settle), a registry failure or an image with no
//   Windows entry rejects the pod everywhere, a pin that contradicts itself too.
// - Filter judges each Windows node, Score prefers process isolation, PostFilter adds the plain
//   explanation. A fleet has few distinct host shapes (build, architecture, Hyper-V) and a workload
//   few distinct images, so verdicts are computed once per (images, pin, shape), kept by the
//   identity of the facts objects (a source that answers the same object until it re-reads the
//   image makes that a cache across cycles; at worst it is one computation per shape per cycle):
//   a node costs an array lookup.
// - Reserve puts the chosen isolation on the Binding (tandem.dev/isolation), PostBind writes the
//   tandem.dev/Isolation condition and an event in plain words.
// Linux pods, HostProcess pods and pods of the native `process` runtime are skipped, and so is
// everything when the scheduler has no image facts source.

import { podOS } from '../../../api/kinds/core/pod/os.js';
import { isHostProcessPod } from '../../../api/kinds/core/pod/validate-os.js';
import { parseResourceList, type Resource } from '../../../api/scheduling/pod-requests.js';
import {
  isolationPin,
  podIsolationOnHost,
  type ImagePlatforms,
  type IsolationPin,
  type PodIsolationVerdict,
  type WindowsHost,
} from '../../../api/scheduling/windows-pod-isolation.js';
import {
  ANNOTATION_ISOLATION,
  ANNOTATION_ISOLATION_REASON,
  HANDLER_PROCESS,
  HANDLER_WINDOWS_HYPERV,
  REASON_HYPERV_ISOLATION,
  REASON_PROCESS_ISOLATION,
} from '../../../api/well-known.js';
import { deleteBindingAnnotation, setBindingAnnotation } from '../../framework/binding-annotations.js';
import type { CycleState } from '../../framework/cycle-state.js';
import {
  MAX_NODE_SCORE,
  type FilterPlugin,
  type Handle,
  type PostBindPlugin,
  type PostFilterPlugin,
  type PreFilterPlugin,
  type PreScorePlugin,
  type ReservePlugin,
  type ScorePlugin,
} from '../../framework/interfaces.js';
import type { NodeInfo } from '../../framework/node-info.js';
import type { PodInfo } from '../../framework/pod-info.js';
import type { Snapshot } from '../../framework/snapshot.js';
import { fixed, pending, SKIP, unresolvable, type Status } from '../../framework/status.js';
import { explainFailure, explainMisses, explainUnusable, failedSummary, type HostMiss } from './explain.js';
import { classifyMiss, MISS_REASONS, unusableImage, type Miss, type MissKind } from './misses.js';

export const NAME = 'WindowsIsolation';
/** The PodScheduled=False reason of a pod waiting for its images' platforms. */
export const REASON_WAITING = 'WaitingForImageFacts';

const KEY = `${NAME}/state`;
const PRE_KEY = `${NAME}/rejected`;
const CHOSEN_KEY = `${NAME}/chosen`;

interface Judgement {
  verdict: PodIsolationVerdict;
  miss?: Miss;
  /** the Filter status of a miss */
  status?: Status;
}
/** Judgements of one (images, pin), indexed by host shape id. */
type ShapeJudgements = Array<Judgement | undefined>;

interface State {
  images: readonly ImagePlatforms[];
  pin: IsolationPin | undefined;
  /** the Hyper-V RuntimeClass's overhead, when the pod does not carry it already */
  overhead: Resource | undefined;
  judgements: ShapeJudgements;
  /** the cycle's snapshot: Reserve finds the chosen node's shape in it */
  snapshot: Snapshot;
}

/** Why PreFilter turned the pod down, for the PostFilter explanation. */
type Rejected = { explanation: string | undefined };

const MISSES = Object.fromEntries(
  (Object.keys(MISS_REASONS) as MissKind[]).map((k) => [k, fixed('UnschedulableAndUnresolvable', MISS_REASONS[k], NAME)]),
) as Record<MissKind, Status>;

/** Judgements per images (by the identity of their facts, in order) and pin. */
interface MemoNode {
  next: WeakMap<object, MemoNode>;
  byPin: Map<string, ShapeJudgements>;
}

/** The pod's OS is Windows, and it runs in a container sandbox (not HostProcess, not native processes). */
function judged(pod: PodInfo): boolean {
  const spec = pod.pod.spec;
  if (!spec) return false;
  const handler = pod.runtimeClass?.handler;
  if (handler === HANDLER_PROCESS) return false;
  if (podOS(spec, handler) !== 'windows') return false;
  return !isHostProcessPod(spec);
}

/** The images of init and regular containers (ephemeral containers run in the sandbox as it is), each once. */
function imagesOf(pod: PodInfo): string[] {
  const spec = pod.pod.spec;
  const out = new Set<string>();
  for (const c of spec?.initContainers ?? []) if (c.image) out.add(c.image);
  for (const c of spec?.containers ?? []) if (c.image) out.add(c.image);
  return [...out];
}

function overheadFits(node: NodeInfo, pod: PodInfo, overhead: Resource): boolean {
  if (overhead.milliCPU > 0 && node.allocatable.milliCPU - node.requested.milliCPU < pod.requests.milliCPU + overhead.milliCPU)
    return false;
  if (overhead.memory > 0 && node.allocatable.memory - node.requested.memory < pod.requests.memory + overhead.memory) return false;
  return true;
}

type WindowsIsolationPlugin = PreFilterPlugin &
  FilterPlugin &
  PostFilterPlugin &
  PreScorePlugin &
  ScorePlugin &
  ReservePlugin &
  PostBindPlugin;

export function create(_args: Record<string, unknown>, handle: Handle): WindowsIsolationPlugin {
  const memo = new WeakMap<object, MemoNode>();

  function judgementsFor(images: readonly ImagePlatforms[], pin: IsolationPin | undefined): ShapeJudgements {
    let level = memo;
    let node: MemoNode | undefined;
    for (const img of images) {
      node = level.get(img);
      if (!node) level.set(img, (node = { next: new WeakMap(), byPin: new Map() }));
      level = node.next;
    }
    if (!node) return []; // no images: PreFilter skips such pods
    const key = pin ? `${pin.isolation}\u0000${pin.by}` : '';
    let j = node.byPin.get(key);
    if (!j) node.byPin.set(key, (j = []));
    return j;
  }

  function reject(state: CycleState, reason: string, explanation?: string): Status {
    state.write<Rejected>(PRE_KEY, { explanation });
    return unresolvable(reason);
  }

  /** The judgement of a Windows node that reports its build (windowsShape >= 0). */
  function judge(st: State, node: NodeInfo): Judgement {
    let v = st.judgements[node.windowsShape];
    if (!v) {
      const host = node.windowsHost as WindowsHost;
      const verdict = podIsolationOnHost(st.images, host, st.pin);
      if (verdict.isolation) v = { verdict };
      else {
        const miss = classifyMiss(st.images, host, st.pin);
        v = { verdict, miss, status: MISSES[miss.kind] };
      }
      st.judgements[node.windowsShape] = v;
    }
    return v;
  }

  return {
    name: NAME,
    preFilter(state, pod, snapshot) {
      const facts = handle.imageFacts;
      if (!facts || !judged(pod)) return SKIP;
      const images = imagesOf(pod);
      if (images.length === 0) return SKIP;
      // no Windows node to judge: NodeOS says why the pod fits nowhere, no registry is asked
      if (!snapshot.nodes().some((n) => n.os === 'windows')) return SKIP;
      const rc = pod.runtimeClass;
      const pin = isolationPin(pod.pod, rc ? { name: rc.metadata.name ?? '', handler: rc.handler } : undefined);
      if (typeof pin === 'string') return reject(state, pin);
      const r = facts.lookup(pod.pod, images);
      if (r.state === 'pending') return pending(REASON_WAITING, r.message);
      if (r.state === 'failed') return reject(state, failedSummary(r), explainFailure(r));
      for (const img of r.images) {
        const why = unusableImage(img);
        if (why) return reject(state, why, explainUnusable());
      }
      // a pod of the Hyper-V class carries its overhead already (RuntimeClass admission); one the autopilot may move to Hyper-V does not
      let overhead: Resource | undefined;
      if (rc?.handler !== HANDLER_WINDOWS_HYPERV) {
        const hv = handle.runtimeClass(HANDLER_WINDOWS_HYPERV);
        const fixedOverhead = hv?.handler === HANDLER_WINDOWS_HYPERV ? hv.overhead?.podFixed : undefined;
        if (fixedOverhead) overhead = parseResourceList(fixedOverhead);
      }
      state.write<State>(KEY, { images: r.images, pin, overhead, judgements: judgementsFor(r.images, pin), snapshot });
      return undefined;
    },
    filter(state, pod, node) {
      const st = state.read<State>(KEY);
      // a Windows node that reports no build cannot be judged: left alone, as NodeRuntimeHandler leaves older agents
      if (!st || node.windowsShape < 0) return undefined;
      const v = judge(st, node);
      if (v.status) return v.status;
      if (st.overhead && v.verdict.isolation === 'hyperv' && !overheadFits(node, pod, st.overhead)) return MISSES['hyperv-overhead'];
      return undefined;
    },
    postFilter(state, _pod, snapshot, d) {
      const rejected = state.read<Rejected>(PRE_KEY);
      if (rejected) return rejected.explanation ? { explanation: rejected.explanation } : {};
      const st = state.read<State>(KEY);
      if (!st || !d.unschedulablePlugins.has(NAME)) return {};
      const misses: HostMiss[] = [];
      for (const [name, s] of d.nodeToStatus) {
        if (s.plugin !== NAME) continue;
        const ni = snapshot.get(name);
        if (!ni?.windowsHost) continue;
        const miss =
          s === MISSES['hyperv-overhead']
            ? { kind: 'hyperv-overhead' as const, image: st.images[0] as ImagePlatforms }
            : judge(st, ni).miss;
        if (miss) misses.push({ host: ni.windowsHost, miss });
      }
      let windowsNodes = 0;
      for (const n of snapshot.nodes()) if (n.os === 'windows') windowsNodes++;
      const explanation = explainMisses(misses, windowsNodes, st.pin);
      return explanation ? { explanation } : {};
    },
    preScore(state) {
      return state.read<State>(KEY) ? undefined : SKIP;
    },
    score(state, _pod, node) {
      const st = state.read<State>(KEY);
      return st && st.judgements[node.windowsShape]?.verdict.isolation === 'process' ? MAX_NODE_SCORE : 0;
    },
    reserve(state, _pod, nodeName) {
      const st = state.read<State>(KEY);
      const ni = st?.snapshot.get(nodeName);
      const v = st && ni ? st.judgements[ni.windowsShape]?.verdict : undefined;
      if (v?.isolation) {
        setBindingAnnotation(state, ANNOTATION_ISOLATION, v.isolation);
        setBindingAnnotation(state, ANNOTATION_ISOLATION_REASON, v.reason);
        state.write(CHOSEN_KEY, v);
      }
      return undefined;
    },
    unreserve(state) {
      deleteBindingAnnotation(state, ANNOTATION_ISOLATION);
      deleteBindingAnnotation(state, ANNOTATION_ISOLATION_REASON);
      state.write(CHOSEN_KEY, undefined);
    },
    postBind(state, pod) {
      // the condition came with the binding (tandem.dev/isolation-reason); the event is said here
      const v = state.read<PodIsolationVerdict>(CHOSEN_KEY);
      if (!v?.isolation) return;
      handle.event?.(pod.pod, 'Normal', v.isolation === 'process' ? REASON_PROCESS_ISOLATION : REASON_HYPERV_ISOLATION, v.reason);
    },
  };
}

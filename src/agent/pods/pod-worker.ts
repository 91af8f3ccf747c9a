// The sync of one pod (by uid): run it, stop it when it is terminal, or tear it down when it is
// being deleted (preStop, stop with the grace period, sandbox removal, volume and cgroup cleanup,
// final status, then the agent's final DELETE with a uid precondition). Pods that the API no
// longer has are torn down too. Status is written only when it changed. A pod that finished
// (Succeeded or Failed) keeps its stopped sandbox, exited containers and log files, as the kubelet
// keeps them, so that its logs can still be read; they go when the pod is deleted.

import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Pod, PodStatus } from '../../api/gen/types.js';
import { StatusError } from '../../base/errors.js';
import { objectRef } from '../../base/log.js';
import type { PodRuntimeView } from './labels.js';
import type { PodContext } from './pod-context.js';
import { podRuntimeView, stopWithPreStop, syncRunningPod } from './pod-sync.js';
import { buildPodStatus } from './status.js';
import { cleanupPodDir } from '../volumes/volumes.js';
import { podKind } from '../../api/kinds/core/pod/pod.js';

const podsOf = (ctx: PodContext, p: Pod) => ctx.client.resource(podKind).namespace(p.metadata.namespace ?? '');

async function writeStatus(ctx: PodContext, pod: Pod, view: PodRuntimeView, terminal = false): Promise<string> {
  const uid = pod.metadata.uid ?? '';
  const mem = ctx.memory(uid);
  const status = buildPodStatus({
    pod,
    view,
    runtimeName: ctx.runtimeName,
    waiting: mem.waiting,
    hostIPs: ctx.hostIPs,
    now: ctx.clock.now(),
    terminal,
    probe: (id, c) => ctx.probes.state(id, c),
    ...(mem.lastStatus ? { previous: mem.lastStatus } : {}),
  });
  const json = JSON.stringify(status);
  if (json !== mem.lastStatusJson) {
    try {
      await podsOf(ctx, pod).patchStatus(pod.metadata.name ?? '', { metadata: { uid }, status });
      mem.lastStatus = status;
      mem.lastStatusJson = json;
    } catch (e) {
      if (!(e instanceof StatusError && (e.code === 404 || e.code === 409 || e.code === 422))) throw e;
    }
  }
  return status.phase ?? 'Pending';
}

/** Stops every container (preStop first) and the sandboxes of a pod. */
async function killPod(ctx: PodContext, pod: Pod | undefined, view: PodRuntimeView, graceSeconds: number): Promise<void> {
  const running = view.containers.filter((c) => c.state === 'running' || c.state === 'created');
  await Promise.all(
    running.map(async (rc) => {
      const spec = pod
        ? [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])].find(
            (c) => c.name === (rc.labels['io.kubernetes.container.name'] ?? rc.name),
          )
        : undefined;
      if (pod) ctx.events.event(pod, 'Normal', 'Killing', `Stopping container ${spec?.name ?? rc.name}`);
      const host = pod?.spec?.hostNetwork ? (ctx.hostIPs[0] ?? '127.0.0.1') : (view.sandboxes.find((s) => s.id === rc.sandboxId)?.ip ?? '');
      await stopWithPreStop(
        ctx,
        pod ?? { apiVersion: 'v1', kind: 'Pod', metadata: {}, spec: { containers: [] } },
        spec,
        rc,
        graceSeconds,
        host,
      ).catch((e: unknown) => ctx.log.warn('stopping a container failed', { container: rc.id, error: e }));
    }),
  );
  for (const s of view.sandboxes)
    if (s.state === 'ready')
      await ctx.runtime.stopPodSandbox(s.id).catch((e: unknown) => ctx.log.warn('stopping a sandbox failed', { sandbox: s.id, error: e }));
}

/** The pod's log directories (DATA/logs/pods/<ns>_<name>_<uid>): the kubelet removes them with the pod. */
async function removePodLogs(ctx: PodContext, uid: string): Promise<void> {
  if (!uid) return;
  const root = join(ctx.dataDir, 'logs', 'pods');
  const names = await readdir(root).catch(() => [] as string[]);
  for (const n of names.filter((x) => x.endsWith(`_${uid}`)))
    await rm(join(root, n), { recursive: true, force: true }).catch((e: unknown) =>
      ctx.log.warn('removing pod logs failed', { dir: n, error: e }),
    );
}

async function removeAll(ctx: PodContext, uid: string, view: PodRuntimeView): Promise<void> {
  for (const s of view.sandboxes)
    await ctx.runtime.removePodSandbox(s.id).catch((e: unknown) => ctx.log.warn('removing a sandbox failed', { sandbox: s.id, error: e }));
  ctx.probes.prune(uid, new Set());
  ctx.tokens?.forget(uid);
  await cleanupPodDir(ctx.dataDir, uid, ctx.secretMedium);
  await removePodLogs(ctx, uid);
  await ctx.platform.cleanupPod(uid);
}

async function terminatePod(ctx: PodContext, pod: Pod, view: PodRuntimeView): Promise<void> {
  const uid = pod.metadata.uid ?? '';
  const grace = pod.metadata.deletionGracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? 30;
  await killPod(ctx, pod, view, grace);
  const after = await podRuntimeView(ctx, uid);
  ctx.memory(uid).waiting.clear();
  await writeStatus(ctx, pod, after, true).catch((e: unknown) =>
    ctx.log.warn('writing the final status failed', { pod: objectRef(pod), error: e }),
  );
  await removeAll(ctx, uid, after);
  try {
    await podsOf(ctx, pod).delete(pod.metadata.name ?? '', { gracePeriodSeconds: 0, preconditions: { uid } });
  } catch (e) {
    if (!(e instanceof StatusError && (e.code === 404 || e.code === 409))) throw e;
  }
  ctx.memory(uid).finished = true;
}

/** A pod this node will not run: Failed with the admission's reason, as the kubelet rejects pods. */
async function rejectPod(ctx: PodContext, pod: Pod, reason: string, message: string): Promise<void> {
  ctx.events.event(pod, 'Warning', reason, message);
  const status: PodStatus = { phase: 'Failed', reason, message: `Pod was rejected: ${message}` };
  if (pod.status?.qosClass) status.qosClass = pod.status.qosClass;
  await podsOf(ctx, pod).patchStatus(pod.metadata.name ?? '', { metadata: { uid: pod.metadata.uid }, status });
  const mem = ctx.memory(pod.metadata.uid ?? '');
  mem.lastStatus = status;
  mem.lastStatusJson = JSON.stringify(status);
  ctx.log.warn('pod rejected', { pod: objectRef(pod), reason, message });
}

/** Tears down what the runtime still holds for a pod the API no longer has. */
async function removeOrphan(ctx: PodContext, uid: string): Promise<void> {
  const view = await podRuntimeView(ctx, uid);
  if (view.sandboxes.length === 0 && view.containers.length === 0) return;
  await killPod(ctx, undefined, view, 2);
  await removeAll(ctx, uid, view);
}

export async function syncPod(ctx: PodContext, uid: string, pod: Pod | undefined): Promise<void> {
  if (!pod) {
    await removeOrphan(ctx, uid);
    return;
  }
  const mem = ctx.memory(uid);
  if (mem.finished) return;
  const view = await podRuntimeView(ctx, uid);
  if (pod.metadata.deletionTimestamp) {
    await terminatePod(ctx, pod, view);
    return;
  }
  const reported = mem.lastStatus?.phase ?? pod.status?.phase;
  if (!mem.admitted && reported !== 'Succeeded' && reported !== 'Failed') {
    const fresh = view.sandboxes.length === 0 && view.containers.length === 0 && !pod.status?.startTime;
    const verdict = fresh ? await ctx.admit(pod) : { admit: true as const };
    if (!verdict.admit) {
      await rejectPod(ctx, pod, verdict.reason, verdict.message);
      return;
    }
    mem.admitted = true;
  }
  if (reported === 'Succeeded' || reported === 'Failed') {
    // terminal pods never run again: make sure nothing is left running
    if (view.containers.some((c) => c.state === 'running') || view.sandboxes.some((s) => s.state === 'ready')) {
      await killPod(ctx, pod, view, pod.spec?.terminationGracePeriodSeconds ?? 30);
    }
    return;
  }
  await syncRunningPod(ctx, pod, view);
  const phase = await writeStatus(ctx, pod, view);
  if (phase === 'Succeeded' || phase === 'Failed') {
    const still = await podRuntimeView(ctx, uid);
    await killPod(ctx, pod, still, pod.spec?.terminationGracePeriodSeconds ?? 30);
    ctx.probes.prune(uid, new Set());
  }
}

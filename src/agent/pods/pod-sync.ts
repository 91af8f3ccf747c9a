// One sync of a pod that should run: sandbox (with volumes), init containers in order, then the
// containers, with restart policy, CrashLoopBackOff and liveness restarts; probes follow the
// running containers. Everything is derived from what the runtime reports, so an agent restart
// adopts running containers as they are.

import type { Container, Pod } from '../../api/gen/types.js';
import type { IsolationPin } from '../../api/scheduling/windows-pod-isolation.js';
import type { ContainerStatus as RtContainer, SandboxConfig, SandboxStatus } from '../runtime/runtime.js';
import { startContainer, qosOf } from './container-start.js';
import type { PodRuntimeFacts } from './field-ref.js';
import { goDuration } from './go-duration.js';
import { containersNamed, readySandbox, type PodRuntimeView } from './labels.js';
import type { PodContext, PodMemory } from './pod-context.js';
import { podFullName } from './pod-name.js';
import { shouldRestart } from './restart-policy.js';
import { sandboxConfig } from './runtime-config.js';
import { sandboxHandler } from './sandbox-handler.js';
import { prepareVolumes, VolumeError, type PreparedVolume } from '../volumes/volumes.js';
import { runHandler } from '../probes/probe-handler.js';

const errText = (e: unknown) => (e instanceof Error ? e.message : String(e));

export async function podRuntimeView(ctx: PodContext, uid: string): Promise<PodRuntimeView> {
  const labels = { 'io.kubernetes.pod.uid': uid };
  const [sandboxes, containers] = await Promise.all([ctx.runtime.listPodSandboxes({ labels }), ctx.runtime.listContainers({ labels })]);
  const newest = <T extends { createdAt: number; attempt: number }>(a: T, b: T) => b.createdAt - a.createdAt || b.attempt - a.attempt;
  return { sandboxes: sandboxes.sort(newest), containers: containers.sort(newest) };
}

async function stopWithPreStop(
  ctx: PodContext,
  pod: Pod,
  c: Container | undefined,
  rc: RtContainer,
  graceSeconds: number,
  host: string,
): Promise<void> {
  const began = ctx.clock.now();
  if (c?.lifecycle?.preStop) {
    const out = await runHandler(c.lifecycle.preStop, {
      runtime: ctx.runtime,
      containerId: rc.id,
      container: c,
      host,
      timeoutSeconds: graceSeconds,
    });
    if (!out.ok) ctx.events.event(pod, 'Warning', 'FailedPreStopHook', `PreStopHook failed: ${out.output}`.trim());
  }
  const left = Math.max(2, graceSeconds - Math.floor((ctx.clock.now() - began) / 1000));
  await ctx.runtime.stopContainer(rc.id, left);
}
export { stopWithPreStop };

interface Running {
  sandboxId: string;
  sandbox: SandboxConfig;
  facts: PodRuntimeFacts;
  volumes: Map<string, PreparedVolume>;
  host: string;
  /** the Windows isolation the sandbox runs with (which entry of each image's index to pull) */
  isolation?: IsolationPin;
}

/** Makes sure a ready sandbox exists; answers undefined when the pod has to wait. */
async function ensureSandbox(ctx: PodContext, pod: Pod, mem: PodMemory, view: PodRuntimeView): Promise<Running | undefined> {
  const uid = pod.metadata.uid ?? '';
  let volumes: Map<string, PreparedVolume>;
  const existing = readySandbox(view);
  const facts: PodRuntimeFacts = { hostIP: ctx.hostIPs[0] ?? '', hostIPs: ctx.hostIPs };
  if (existing?.ip) {
    facts.podIP = existing.ip;
    facts.podIPs = [existing.ip, ...existing.additionalIps];
  }
  try {
    volumes = await prepareVolumes({
      pod,
      dataDir: ctx.dataDir,
      objects: ctx.objects,
      facts,
      allocatable: ctx.allocatable,
      log: ctx.log,
      ...(ctx.tokens ? { tokens: ctx.tokens } : {}),
      ...(ctx.secretMedium ? { secretMedium: ctx.secretMedium } : {}),
      ...(ctx.claims ? { claims: ctx.claims } : {}),
    });
  } catch (e) {
    if (!(e instanceof VolumeError)) throw e;
    ctx.events.event(pod, 'Warning', 'FailedMount', e.message);
    ctx.requeue(uid, 10_000);
    return undefined;
  }
  const chosen = await sandboxHandler(ctx, pod, !existing);
  if ('failed' in chosen) {
    ctx.events.event(pod, 'Warning', 'FailedCreatePodSandBox', chosen.failed);
    ctx.requeue(uid, 10_000);
    return undefined;
  }
  const handler = chosen.handler;
  const attempt = existing ? existing.attempt : view.sandboxes.reduce((m, s) => Math.max(m, s.attempt + 1), 0);
  const sandbox = sandboxConfig({
    pod,
    attempt,
    dataDir: ctx.dataDir,
    dns: ctx.dns,
    os: ctx.os,
    resourceParent: ctx.platform.podResourceParent(uid, qosOf(pod)),
    runtimeHandler: handler,
  });
  const host = (s: SandboxStatus | undefined) => (pod.spec?.hostNetwork ? (ctx.hostIPs[0] ?? '127.0.0.1') : (s?.ip ?? ''));
  const isolation = chosen.isolation ? { isolation: chosen.isolation } : {};
  if (existing) return { sandboxId: existing.id, sandbox, facts, volumes, host: host(existing), ...isolation };
  // sandboxes that died: their containers cannot be kept
  if (view.sandboxes.length > 0)
    ctx.events.event(pod, 'Normal', 'SandboxChanged', 'Pod sandbox changed, it will be killed and re-created.');
  for (const s of view.sandboxes) await ctx.runtime.stopPodSandbox(s.id).catch(() => undefined);
  let sandboxId: string;
  try {
    sandboxId = await ctx.runtime.runPodSandbox(sandbox);
  } catch (e) {
    ctx.events.event(pod, 'Warning', 'FailedCreatePodSandBox', `Failed to create pod sandbox: ${errText(e)}`);
    ctx.requeue(uid, 10_000);
    return undefined;
  }
  const st = await ctx.runtime.podSandboxStatus(sandboxId);
  if (st.ip) {
    facts.podIP = st.ip;
    facts.podIPs = [st.ip, ...st.additionalIps];
  }
  view.sandboxes.unshift(st);
  return { sandboxId, sandbox, facts, volumes, host: host(st), ...isolation };
}

/**
 * Handles one container slot (init or regular): answers 'done' (exited for good), 'running',
 * or 'waiting' (starting, backing off, or blocked).
 */
async function syncContainer(
  ctx: PodContext,
  pod: Pod,
  mem: PodMemory,
  view: PodRuntimeView,
  r: Running,
  c: Container,
  policy: string,
): Promise<'done' | 'running' | 'waiting' | 'failed'> {
  const uid = pod.metadata.uid ?? '';
  let [latest] = containersNamed(view, c.name).filter((x) => x.sandboxId === r.sandboxId || x.state !== 'running');
  if (latest?.state === 'running') {
    const probe = ctx.probes.state(latest.id, c);
    if (!probe.livenessFailed) return 'running';
    ctx.events.event(pod, 'Normal', 'Killing', `Container ${c.name} failed liveness probe, will be restarted`);
    await stopWithPreStop(ctx, pod, c, latest, pod.spec?.terminationGracePeriodSeconds ?? 30, r.host);
    latest = await ctx.runtime.containerStatus(latest.id);
    view.containers = view.containers.map((x) => (x.id === latest?.id ? latest : x));
  }
  if (latest?.state === 'created') {
    await ctx.runtime.startContainer(latest.id).catch(() => undefined);
    return 'running';
  }
  let attempt = 0;
  if (latest) {
    if (latest.state === 'exited' && !shouldRestart(policy, latest.exitCode)) {
      mem.waiting.delete(c.name);
      return latest.exitCode === 0 ? 'done' : 'failed';
    }
    if (latest.state === 'exited' && latest.sandboxId === r.sandboxId) {
      const key = `${uid}/${c.name}`;
      const finished = Math.floor(latest.finishedAt / 1e6);
      const left = ctx.crashBackoff.remaining(key, finished);
      if (left > 0) {
        const msg = `back-off ${goDuration(ctx.crashBackoff.current(key))} restarting failed container=${c.name} pod=${podFullName(pod)}`;
        mem.waiting.set(c.name, { reason: 'CrashLoopBackOff', message: msg });
        ctx.events.event(pod, 'Warning', 'BackOff', `Back-off restarting failed container ${c.name} in pod ${podFullName(pod)}`);
        ctx.requeue(uid, left + 1);
        return 'waiting';
      }
      ctx.crashBackoff.next(key);
    }
    attempt = latest.attempt + 1;
  }
  const ok = await startContainer(ctx, {
    pod,
    mem,
    c,
    attempt,
    sandboxId: r.sandboxId,
    sandbox: r.sandbox,
    facts: r.facts,
    volumes: r.volumes,
    ...(r.isolation ? { isolation: r.isolation } : {}),
  });
  await pruneOld(ctx, view, c.name);
  return ok ? 'running' : 'waiting';
}

/** Keeps the newest container of a name and the one before it (for lastState and --previous logs). */
async function pruneOld(ctx: PodContext, view: PodRuntimeView, name: string): Promise<void> {
  const all = containersNamed(view, name);
  for (const old of all.slice(1))
    if (old.state === 'exited' && old !== all[1]) await ctx.runtime.removeContainer(old.id).catch(() => undefined);
}

export async function syncRunningPod(ctx: PodContext, pod: Pod, view: PodRuntimeView): Promise<void> {
  const uid = pod.metadata.uid ?? '';
  const mem = ctx.memory(uid);
  const r = await ensureSandbox(ctx, pod, mem, view);
  if (!r) return;
  const policy = pod.spec?.restartPolicy ?? 'Always';
  const inits = pod.spec?.initContainers ?? [];
  const mains = pod.spec?.containers ?? [];
  for (const c of inits) {
    const sidecar = c.restartPolicy === 'Always';
    const res = await syncContainer(ctx, pod, mem, view, r, c, sidecar ? 'Always' : policy === 'Always' ? 'OnFailure' : policy);
    if (res === 'failed') return;
    if (sidecar ? res === 'waiting' : res !== 'done') return;
  }
  for (const c of mains) await syncContainer(ctx, pod, mem, view, r, c, policy);
  // probes follow the containers that run now
  const fresh = await podRuntimeView(ctx, uid);
  const keep = new Set<string>();
  const probed = [...mains, ...inits.filter((c) => c.restartPolicy === 'Always')];
  for (const c of probed) {
    const [latest] = containersNamed(fresh, c.name);
    if (latest?.state !== 'running') continue;
    keep.add(latest.id);
    ctx.probes.ensure(uid, latest.id, c, r.host, Math.floor(latest.startedAt / 1e6));
  }
  ctx.probes.prune(uid, keep);
  view.sandboxes = fresh.sandboxes;
  view.containers = fresh.containers;
}

// Starting one container attempt: the image (pull policy, pull secrets, pull back-off; for a Windows
// sandbox the manifest of its isolation, image-platform.ts), the config (env, mounts, resources),
// then create and start, with the kubelet's events and waiting reasons.

import type { Container, Pod } from '../../api/gen/types.js';
import { podQOSClass } from '../../api/kinds/core/pod/qos.js';
import type { SandboxConfig } from '../runtime/runtime.js';
import { ContainerConfigError, resolveEnv } from './env.js';
import type { PodRuntimeFacts } from './field-ref.js';
import { goDuration } from './go-duration.js';
import type { IsolationPin } from '../../api/scheduling/windows-pod-isolation.js';
import type { RegistryAuth } from '../../client/registry/auth.js';
import { authForImage } from '../../client/registry/pull-secrets.js';
import { imageForIsolation } from './image-platform.js';
import { pullDecision } from './images.js';
import type { PodContext, PodMemory } from './pod-context.js';
import { nonRootViolation } from './resources.js';
import { containerConfig } from './runtime-config.js';
import { containerMounts, type PreparedVolume } from '../volumes/volumes.js';

const errText = (e: unknown) => (e instanceof Error ? e.message : String(e));

export const qosOf = (pod: Pod) => pod.status?.qosClass ?? podQOSClass(pod.spec);

async function pullAuth(ctx: PodContext, pod: Pod, image: string): Promise<RegistryAuth | undefined> {
  const ns = pod.metadata.namespace ?? 'default';
  const secrets: Array<{ type: string; data: Record<string, Buffer> }> = [];
  for (const ref of pod.spec?.imagePullSecrets ?? []) {
    if (!ref.name) continue; // the API lets an entry have no name: nothing to read
    const s = await ctx.objects.secret(ns, ref.name).catch(() => undefined);
    if (s) secrets.push(s);
  }
  return authForImage(image, secrets);
}

/**
 * Makes the image available; answers the reference to create the container with (the image as
 * written, or the platform manifest for the sandbox's Windows isolation), or undefined (with a
 * waiting reason set) when the container must wait.
 */
async function ensureImage(
  ctx: PodContext,
  pod: Pod,
  mem: PodMemory,
  c: Container,
  sandbox: SandboxConfig,
  isolation: IsolationPin | undefined,
): Promise<string | undefined> {
  const image = c.image ?? '';
  const uid = pod.metadata.uid ?? '';
  const key = `${uid}/${image}`;
  const backingOff = (): boolean => {
    const failedAt = mem.pullFailedAt.get(image);
    const left = failedAt === undefined ? 0 : ctx.imageBackoff.remaining(key, failedAt);
    if (left <= 0) return false;
    mem.waiting.set(c.name, { reason: 'ImagePullBackOff', message: `Back-off pulling image "${image}"` });
    ctx.events.event(pod, 'Normal', 'BackOff', `Back-off pulling image "${image}"`);
    ctx.requeue(uid, left);
    return true;
  };
  const pullFailed = (msg: string): undefined => {
    ctx.events.event(pod, 'Warning', 'Failed', msg);
    ctx.events.event(pod, 'Warning', 'Failed', 'Error: ErrImagePull');
    mem.waiting.set(c.name, { reason: 'ErrImagePull', message: msg });
    mem.pullFailedAt.set(image, ctx.clock.now());
    ctx.requeue(uid, ctx.imageBackoff.next(key));
    return undefined;
  };
  // which manifest: for a Windows isolation, the index entry this node runs with it (not with pull
  // policy Never: then the image already present is the one meant)
  let auth: RegistryAuth | undefined;
  let ref = image;
  let note: string | undefined;
  if (isolation && ctx.imageFacts && c.imagePullPolicy !== 'Never') {
    auth = await pullAuth(ctx, pod, image);
    const choice = await imageForIsolation(ctx.imageFacts, image, auth, ctx.windowsHost?.(), isolation);
    if ('noFit' in choice) return backingOff() ? undefined : pullFailed(`Failed to pull image "${image}": ${choice.noFit}`);
    ref = choice.ref ?? image;
    note = choice.note;
  }
  const present = (await ctx.runtime.imageStatus(ref, sandbox.runtimeHandler)) !== undefined;
  const decision = pullDecision(c.imagePullPolicy, present);
  if (decision === 'never-pull-error') {
    const msg = `Container image "${image}" is not present with pull policy of Never`;
    mem.waiting.set(c.name, { reason: 'ErrImageNeverPull', message: msg });
    ctx.events.event(pod, 'Warning', 'ErrImageNeverPull', msg);
    return undefined;
  }
  if (decision === 'use-present') {
    ctx.events.event(pod, 'Normal', 'Pulled', `Container image "${image}" already present on machine`);
    return ref;
  }
  if (backingOff()) return undefined;
  auth ??= await pullAuth(ctx, pod, image);
  if (note) ctx.events.event(pod, 'Normal', 'ImagePlatform', note);
  ctx.events.event(pod, 'Normal', 'Pulling', `Pulling image "${image}"`);
  const began = ctx.clock.now();
  try {
    await ctx.runtime.pullImage(ref, auth, sandbox);
  } catch (e) {
    return pullFailed(`Failed to pull image "${image}": ${errText(e)}`);
  }
  mem.pullFailedAt.delete(image);
  ctx.imageBackoff.reset(key);
  const took = goDuration(ctx.clock.now() - began);
  const info = await ctx.runtime.imageStatus(ref, sandbox.runtimeHandler).catch(() => undefined);
  ctx.events.event(
    pod,
    'Normal',
    'Pulled',
    `Successfully pulled image "${image}" in ${took} (${took} including waiting).${info ? ` Image size: ${info.size} bytes.` : ''}`,
  );
  return ref;
}

export interface StartInputs {
  pod: Pod;
  mem: PodMemory;
  c: Container;
  attempt: number;
  sandboxId: string;
  sandbox: SandboxConfig;
  facts: PodRuntimeFacts;
  volumes: ReadonlyMap<string, PreparedVolume>;
  /** the Windows isolation of the sandbox: the image entry to pull is the one the node runs with it */
  isolation?: IsolationPin;
}

/** A Warning on the pod, once, when the runtime cannot enforce the limits a container asked for. */
async function warnUnenforcedLimits(ctx: PodContext, pod: Pod, mem: PodMemory, name: string, id: string): Promise<void> {
  if (mem.limitsWarned || !ctx.runtime.unenforcedLimits) return;
  const why = await ctx.runtime.unenforcedLimits(id).catch(() => undefined);
  if (!why) return;
  mem.limitsWarned = true;
  ctx.events.event(
    pod,
    'Warning',
    'ResourceLimitsNotEnforced',
    `Resource limits of container ${name} are not enforced on this ${ctx.os} node: ${why}`,
  );
}

/** Creates and starts one container attempt; answers false when it has to wait (reason recorded). */
export async function startContainer(ctx: PodContext, i: StartInputs): Promise<boolean> {
  const { pod, mem, c } = i;
  const image = await ensureImage(ctx, pod, mem, c, i.sandbox, i.isolation);
  if (image === undefined) return false;
  let env;
  try {
    const violation = nonRootViolation(c, pod.spec?.securityContext);
    if (violation) throw new ContainerConfigError(violation);
    env = await resolveEnv({
      pod,
      container: c,
      objects: ctx.objects,
      facts: i.facts,
      allocatable: ctx.allocatable,
      ...(ctx.services ? { services: ctx.services() } : {}),
    });
  } catch (e) {
    if (!(e instanceof ContainerConfigError) && !(e instanceof Error && e.name === 'StatusError')) throw e;
    mem.waiting.set(c.name, { reason: 'CreateContainerConfigError', message: errText(e) });
    ctx.events.event(pod, 'Warning', 'Failed', `Error: ${errText(e)}`);
    ctx.requeue(pod.metadata.uid ?? '', 10_000);
    return false;
  }
  const mounts = await containerMounts(c, i.volumes);
  const cfg = containerConfig({
    pod,
    container: c,
    attempt: i.attempt,
    image,
    envs: env.envs,
    command: env.command,
    args: env.args,
    mounts,
    qosClass: qosOf(pod),
    os: ctx.os,
    memoryCapacity: ctx.memoryCapacity,
    cpuCapacity: ctx.cpuCapacity,
  });
  let id: string;
  try {
    id = await ctx.runtime.createContainer(i.sandboxId, cfg, i.sandbox);
  } catch (e) {
    mem.waiting.set(c.name, { reason: 'CreateContainerError', message: errText(e) });
    ctx.events.event(pod, 'Warning', 'Failed', `Error: ${errText(e)}`);
    ctx.requeue(pod.metadata.uid ?? '', 10_000);
    return false;
  }
  ctx.events.event(pod, 'Normal', 'Created', `Created container: ${c.name}`);
  await warnUnenforcedLimits(ctx, pod, mem, c.name, id);
  try {
    await ctx.runtime.startContainer(id);
  } catch (e) {
    mem.waiting.set(c.name, { reason: 'RunContainerError', message: errText(e) });
    ctx.events.event(pod, 'Warning', 'Failed', `Error: ${errText(e)}`);
    return false;
  }
  mem.waiting.delete(c.name);
  ctx.events.event(pod, 'Normal', 'Started', `Started container ${c.name}`);
  return true;
}
